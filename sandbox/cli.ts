// `npm run sandbox`: starts the sandbox portal and prints how to reach it (URLs, webhook URLs,
// the local app's keys with a fresh token pair, triggers, items and a ready curl line).
// These credentials are throwaway values of a loopback-only portal, regenerated on every start.
import { parseArgs } from 'node:util'
import { launch } from './portal'
import { STATIC_OWNER_TYPES } from './ownerTypes'
import type { PortalState } from './state'

const USAGE = `Usage: npx tsx sandbox/cli.ts [--port N] [--burst 50 --drain 2] [--no-rate]
  [--operating-limit 480 --operating-window 600] [--no-operating]
  [--trigger-cost-ms 5] [--token-ttl 3600] [--seed 1] [--empty] [--log]
  [--fractional-time]  (the older time format: microsecond start, real processing; default: today's
                        cloud, a whole-second start and processing 0)`

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number, got "${v}"`)
  return n
}

function typeName(state: PortalState, entityTypeId: number): string {
  return STATIC_OWNER_TYPES.find((t) => t.id === entityTypeId)?.name ?? state.spaTypes.get(entityTypeId)?.title ?? `type ${entityTypeId}`
}

function describeItems(state: PortalState): string[] {
  return state.itemTypes().map((type) => {
    const ids = state.sortedIds(type)
    const stages = new Map<string, number>()
    for (const id of ids) {
      const stage = state.getItem(type, id)?.stageId || '-'
      stages.set(stage, (stages.get(stage) ?? 0) + 1)
    }
    const byStage = [...stages].map(([s, n]) => `${s} ${n}`).join(', ')
    return `  ${typeName(state, type)} (${type}): ids ${ids[0]}..${ids[ids.length - 1]}  [${byStage}]`
  })
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      burst: { type: 'string' },
      drain: { type: 'string' },
      'no-rate': { type: 'boolean', default: false },
      'operating-limit': { type: 'string' },
      'operating-window': { type: 'string' },
      'no-operating': { type: 'boolean', default: false },
      'trigger-cost-ms': { type: 'string' },
      'token-ttl': { type: 'string' },
      seed: { type: 'string' },
      empty: { type: 'boolean', default: false },
      log: { type: 'boolean', default: false },
      'fractional-time': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const burst = num(values.burst, 'burst') ?? 50
  const drain = num(values.drain, 'drain') ?? 2
  const limitSec = num(values['operating-limit'], 'operating-limit') ?? 480
  const windowSec = num(values['operating-window'], 'operating-window') ?? 600
  const triggerCostMs = num(values['trigger-cost-ms'], 'trigger-cost-ms') ?? 5
  const { sandbox, state } = await launch({
    port: num(values.port, 'port') ?? 0,
    rate: values['no-rate'] ? false : { burst, drainPerSec: drain },
    operating: values['no-operating'] ? false : { limitSec, windowSec },
    triggerCostMs,
    tokenTtlSec: num(values['token-ttl'], 'token-ttl'),
    seed: num(values.seed, 'seed'),
    seedData: !values.empty,
    log: values.log,
    timeFormat: values['fractional-time'] ? 'fractional' : 'whole-second'
  })
  const tokens = sandbox.issueTokens()
  const appTriggers = [...state.appTriggersOf(sandbox.app.clientId)]
  const bindings = state.allBindings()
  const bound = (via: 'app' | 'webhook', code: string): string =>
    bindings
      .filter((b) => b.via === via && b.code === code && (via === 'webhook' || b.owner === sandbox.app.clientId))
      .map((b) => `${typeName(state, b.entityTypeId)} -> ${b.stageId}`)
      .join('; ') || 'not bound'
  const webhookCodes = [...new Set(bindings.filter((b) => b.via === 'webhook').map((b) => b.code))]

  const lines = [
    `Bitrix24 sandbox portal: ${sandbox.url}`,
    '',
    'Incoming webhooks',
    `  admin (user 1):             ${sandbox.adminWebhookUrl}`,
    `  non-admin (user 2):         ${sandbox.userWebhookUrl}`,
    `  admin without crm scope:    ${sandbox.noCrmWebhookUrl}`,
    '',
    'Local app (admin token pair, fresh)',
    `  client_id:      ${sandbox.app.clientId}`,
    `  client_secret:  ${sandbox.app.clientSecret}`,
    `  access_token:   ${tokens.access_token}   (expires in ${tokens.expires_in} s)`,
    `  refresh_token:  ${tokens.refresh_token}`,
    `  client_endpoint: ${tokens.client_endpoint}`,
    `  authorize:      ${sandbox.url}/oauth/authorize/?client_id=${sandbox.app.clientId}&state=demo  -> ${sandbox.app.redirectUri}`,
    `  token endpoint: ${sandbox.url}/oauth/token/`,
    '',
    'App triggers (crm.automation.trigger.execute)',
    ...(appTriggers.length ? appTriggers.map(([code, name]) => `  ${code.padEnd(10)} "${name}"  bound: ${bound('app', code)}`) : ['  none']),
    'Webhook triggers (crm.automation.trigger, target=DEAL_<id>&code=...)',
    ...(webhookCodes.length ? webhookCodes.map((code) => `  ${code.padEnd(10)} bound: ${bound('webhook', code)}`) : ['  none']),
    '',
    'Items',
    ...(state.itemTypes().length ? describeItems(state) : ['  none']),
    '',
    `Limits: bucket ${values['no-rate'] ? 'off' : `${burst} burst, drains ${drain}/s`}; operating ${values['no-operating'] ? 'off' : `${limitSec} s per ${windowSec} s`}; trigger cost ${triggerCostMs} ms`,
    '',
    'Try:',
    `  curl -s '${sandbox.url}/rest/crm.automation.trigger.execute?auth=${tokens.access_token}&CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=1'`,
    `  curl -s '${sandbox.adminWebhookUrl}crm.item.get?entityTypeId=2&id=1'`,
    '',
    'Ctrl-C to stop.'
  ]
  console.log(lines.join('\n'))

  const stop = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  console.error(USAGE)
  process.exit(2)
})
