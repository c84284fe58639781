// Assembles the sandbox portal: state, limits, faults, OAuth server and the HTTP server on
// 127.0.0.1, and the Sandbox control object of ./types.ts. The CLI also needs the state to
// print what the portal holds, so launch() returns both.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { Dispatcher } from './dispatch'
import { FaultPlan } from './faults'
import { LeakyBucket, OperatingLimiter } from './limits'
import { OAuthServer } from './oauth'
import { WEBHOOK_IDS, seedDemo, seedIdentities, seedStructure } from './seed'
import { addCategory, seedCrmItems } from './crm-structure'
import { createHandler } from './server'
import { PortalState } from './state'
import type { App } from './state'
import type { Sandbox, SandboxOptions } from './types'


function publicApp(app: App): { clientId: string; clientSecret: string; redirectUri: string } {
  return { clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: app.redirectUri }
}

export async function launch(options: SandboxOptions = {}): Promise<{ sandbox: Sandbox; state: PortalState }> {
  const now = options.now ?? Date.now
  const log = options.log ? (line: string) => process.stderr.write(`${line}\n`) : undefined
  const state = new PortalState(options.triggerCostMs ?? 5)
  const rate = options.rate === undefined ? { burst: 50, drainPerSec: 2 } : options.rate
  const operating = options.operating === undefined ? { limitSec: 480, windowSec: 600 } : options.operating
  const limiter = operating
    ? new OperatingLimiter({ ...operating, minRecordedSec: options.operatingMinRecordedSec ?? 0.1 })
    : undefined
  const faults = new FaultPlan(options.seed ?? 1)
  let origin = ''
  const oauth = new OAuthServer(state, now, options.tokenTtlSec ?? 3600, () => origin, randomBytes(16).toString('hex'))
  // A handler crash is a sandbox bug: always reported, even without `log`.
  const dispatcher = new Dispatcher(state, limiter, now, (line) => process.stderr.write(`${line}\n`), options.operatingAccounting, options.timeFormat ?? 'whole-second')

  const server = createServer(
    createHandler({
      state,
      oauth,
      dispatcher,
      bucket: rate ? new LeakyBucket(rate.burst, rate.drainPerSec, now) : undefined,
      faults,
      requestCapMs: options.requestCapMs ?? 60_000,
      now,
      log,
      appPages: () => {
        const paths = new Set<string>()
        for (const app of state.apps.values()) {
          if (app.redirectUri.startsWith(origin)) paths.add(new URL(app.redirectUri).pathname)
        }
        return paths
      }
    })
  )
  // Longer than common clients' idle timeouts, so a reused keep-alive socket is never closed under them.
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${port}`

  seedIdentities(state, origin, options.redirectUri)
  seedStructure(state)
  const [app, otherApp] = [...state.apps.values()] as [App, App]
  if (options.seedData !== false) seedDemo(state, app.clientId)

  const hookUrl = (id: string): string => {
    const hook = state.webhooks.find((h) => h.id === id)
    if (!hook) throw new Error(`no webhook ${id}`)
    return `${origin}/rest/${hook.userId}/${hook.secret}/`
  }

  const sandbox: Sandbox = {
    url: origin,
    port,
    adminWebhookUrl: hookUrl(WEBHOOK_IDS.admin),
    userWebhookUrl: hookUrl(WEBHOOK_IDS.user),
    noCrmWebhookUrl: hookUrl(WEBHOOK_IDS.noCrm),
    webhookIds: { ...WEBHOOK_IDS },
    memberId: oauth.memberId,
    app: publicApp(app),
    otherApp: publicApp(otherApp),
    issueTokens: (opts = {}) => oauth.issue(opts.clientId ?? app.clientId, opts.userId ?? 1, opts.ttlSec),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    revokeRefreshTokens: () => oauth.revokeRefreshTokens(),
    ledger: () => state.ledgerEntries.map((e) => ({ ...e })),
    clearLedger: () => {
      state.ledgerEntries.length = 0
    },
    addAppTrigger: (clientId, code, name) => {
      state.appTriggersOf(clientId).set(code, name)
    },
    removeAppTrigger: (clientId, code) => {
      state.appTriggersOf(clientId).delete(code)
    },
    bindTrigger: (b) => {
      const owner = b.via === 'app' ? (b.clientId ?? app.clientId) : ''
      state.bind(b.via, owner, b.code, b.entityTypeId, { stageId: b.stageId, allowBackwards: b.allowBackwards ?? false })
    },
    setTriggerCost: (code, ms) => {
      state.triggerCosts.set(code, ms)
    },
    addItems: (items) => {
      for (const item of items) state.addItem(item)
    },
    generateItems: (entityTypeId, fromId, count, stageId) => {
      for (let id = fromId; id < fromId + count; id++) state.addItem({ entityTypeId, id, title: `Item ${entityTypeId}/${id}`, stageId })
    },
    seedCrm: (options) => seedCrmItems(state, options),
    addCategory: (entityTypeId, category) => addCategory(state, entityTypeId, category),
    getItem: (entityTypeId, id) => {
      const item = state.getItem(entityTypeId, id)
      return item ? { ...item } : undefined
    },
    addFaults: (rules) => faults.add(rules),
    clearFaults: () => faults.clear(),
    stats: () => ({ ...state.counters }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      })
  }
  return { sandbox, state }
}
