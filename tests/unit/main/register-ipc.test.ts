// registerIpc() without Electron: a recording ipcMain stand-in, a temp data dir, an in-memory
// secret store and the sandbox portal over real HTTP.
import ExcelJS from 'exceljs'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_METHODS, type CreateRunRequest, type CsvInspection, type IpcResult, type RowsPage, type RunSummaryView, type ValidationSummary } from '../../../electron/shared/ipc'
import type { Profile } from '../../../electron/shared/domain'
import { registerIpc, type IpcDeps, type IpcWiring } from '../../../electron/main/ipc'
import { SignInCancelledError } from '../../../electron/main/ipc/sign-in'
import { createMemorySecretStore } from '../../../electron/core/profiles/secret-store'
import { redact } from '../../../electron/core/bitrix'
import { createFileLogger } from '../../../electron/main/logger'
import { startSandbox, type Sandbox } from '../../../sandbox'

interface FakeEvent {
  trusted: boolean
}
type Listener = (event: FakeEvent, ...args: unknown[]) => Promise<IpcResult<unknown>>

const TRUSTED: FakeEvent = { trusted: true }
let sandbox: Sandbox
let dataDir: string
let wiring: IpcWiring
const handlers = new Map<string, Listener>()
const opened: string[] = []
const copied: string[] = []
const emitted: { event: string; payload: unknown }[] = []
const ended: RunSummaryView[] = []
const dialogAnswers: { csv: string | null; exportPath: string | null } = { csv: null, exportPath: null }
let authWindow: IpcDeps<FakeEvent>['openAuthWindow']

/** The sign-in window as the e2e harness fakes it: follow /oauth/authorize/ by hand. */
async function followAuthorize(url: string, isCallback: (u: string) => boolean): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' })
  const location = res.headers.get('location')
  if (!location || !isCallback(new URL(location, url).toString())) throw new SignInCancelledError()
  return new URL(location, url).toString()
}

async function call<T>(channel: string, ...args: unknown[]): Promise<IpcResult<T>> {
  return (await handlers.get(channel)!(TRUSTED, ...args)) as IpcResult<T>
}

async function ok<T>(channel: string, ...args: unknown[]): Promise<T> {
  const result = await call<T>(channel, ...args)
  if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result.error)}`)
  return result.data
}

beforeAll(async () => {
  sandbox = await startSandbox()
  dataDir = mkdtempSync(join(tmpdir(), 'b24tr-ipc-'))
  authWindow = followAuthorize
  wiring = registerIpc<FakeEvent>(
    { handle: (channel, fn) => void handlers.set(channel, fn) },
    {
      dataDir,
      secretStore: createMemorySecretStore(),
      dialogs: {
        openCsv: async () => (dialogAnswers.csv ? { path: dialogAnswers.csv, name: 'picked.csv' } : null),
        saveExport: async () => dialogAnswers.exportPath
      },
      openAuthWindow: (url, isCallback) => authWindow(url, isCallback),
      openExternal: async (url) => void opened.push(url),
      writeClipboard: (text) => void copied.push(text),
      emit: (event, payload) => void emitted.push({ event, payload }),
      runEnded: (run) => void ended.push(run),
      appInfo: { version: '0.0.0-test', platform: 'test', dataDir, locale: 'en' },
      isTrustedSender: (event) => event.trusted,
      logger: createFileLogger({ file: join(dataDir, 'logs', 'main.log'), redact })
    }
  )
  await wiring.ready
})

afterAll(async () => {
  await wiring?.close()
  await sandbox?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('registerIpc', () => {
  it('registers exactly one handler per contract method', () => {
    expect([...handlers.keys()].sort()).toEqual([...API_METHODS].sort())
  })

  it('rejects a sender that is not the app window before doing anything', async () => {
    const result = await handlers.get('profiles.addWebhook')!({ trusted: false }, { name: 'x', webhookUrl: sandbox.adminWebhookUrl, plan: 'standard' })
    expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } })
    expect(await ok<Profile[]>('profiles.list')).toEqual([])
  })

  it.each([
    ['profiles.addWebhook', [{ name: 'x', webhookUrl: 42, plan: 'standard' }]],
    ['profiles.addWebhook', [{ name: 'x', webhookUrl: 'https://a/rest/1/b/', plan: 'standard', extra: true }]],
    ['profiles.addWebhook', []],
    ['profiles.remove', ['id', 'surplus']],
    ['triggers.runOne', [{ profileId: 'p', kind: 'app', code: 'c', ownerTypeId: 2.5, ownerId: 1, verify: false }]],
    ['runs.rows', [{ runId: 'r', offset: -1, limit: 10 }]],
    ['runs.export', ['r', 'xlsx']],
    ['runs.rerun', ['r', 'everything']],
    ['runs.rerun', ['r', 'failed+uncertain', { includeMoved: 'yes' }]],
    ['runs.rerunPreview', ['r', 'not-run', { surplus: true }]],
    ['runs.skipDone', []],
    ['csv.inspect', [{ path: 7 }]]
  ])('rejects invalid arguments of %s with VALIDATION', async (channel, args) => {
    const result = await call(channel, ...args)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('VALIDATION')
  })

  it('adds a webhook profile without ever returning or logging its secret', async () => {
    const profile = await ok<Profile>('profiles.addWebhook', { name: 'Admin hook', webhookUrl: sandbox.adminWebhookUrl, plan: 'standard' })
    expect(profile).toMatchObject({ kind: 'webhook', portalUrl: sandbox.url, hasSecret: true })
    const secret = new URL(sandbox.adminWebhookUrl).pathname.split('/')[3]!
    expect(JSON.stringify(await ok('profiles.list'))).not.toContain(secret)
    // A portal error: app triggers through a webhook. It comes back as data, with the portal's words.
    const run = await ok<{ outcome: string; error?: { code: string; portalText?: string } }>('triggers.runOne', {
      profileId: profile.id, kind: 'app', code: 'deal_won', ownerTypeId: 2, ownerId: 1, verify: false
    })
    expect(run.outcome).toBe('failed')
    expect(run.error).toMatchObject({ code: 'ACCESS_DENIED', portalText: expect.stringMatching(/application context/i) })
    const list = await call('triggers.list', profile.id)
    expect(list).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED', kind: 'run-fatal' } })
    for (const file of walk(dataDir)) expect(readFileSync(file, 'utf8'), file).not.toContain(secret)
  })

  it('maps core refusals to stable codes', async () => {
    expect(await call('profiles.test', 'no-such-profile')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await call('profiles.addWebhook', { name: 'bad', webhookUrl: 'http://example.com/rest/1/abcdef/', plan: 'standard' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' }
    })
    expect(await call('shell.openExternal', 'file:///etc/passwd')).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } })
    expect(opened).toEqual([])
    await ok('shell.openExternal', 'https://apidocs.bitrix24.com/')
    expect(opened).toEqual(['https://apidocs.bitrix24.com/'])
  })

  it('copies through main: clipboard.writeText checks sender and argument, then writes', async () => {
    expect(await handlers.get('clipboard.writeText')!({ trusted: false }, 'x')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await call('clipboard.writeText', 42)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await call('clipboard.writeText', 'x'.repeat(1024 * 1024 + 1))).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(copied).toEqual([])
    await ok('clipboard.writeText', 'curl -X POST https://portal.example/rest/…')
    expect(copied).toEqual(['curl -X POST https://portal.example/rest/…'])
  })

  it('signs an OAuth profile in through the authorize redirect, checking state', async () => {
    const profile = await ok<Profile>('profiles.addOAuth', {
      name: 'Local app', portalUrl: sandbox.url, clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, plan: 'standard'
    })
    expect(profile.needsSignIn).toBe(true)
    expect(await call('triggers.list', profile.id)).toMatchObject({ ok: false, error: { code: 'NEEDS_SIGN_IN' } })

    // A redirect answering some other attempt is not accepted.
    authWindow = async (url, isCallback) => {
      const forged = new URL(await followAuthorize(url, () => true))
      forged.searchParams.set('state', 'someone-else')
      if (!isCallback(forged.toString())) throw new SignInCancelledError()
      return forged.toString()
    }
    expect(await call('profiles.signIn', profile.id)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } })

    authWindow = followAuthorize
    const signedIn = await ok<Profile>('profiles.signIn', profile.id)
    expect(signedIn.needsSignIn).toBeUndefined()
    const triggers = await ok<{ code: string }[]>('triggers.list', profile.id)
    expect(triggers.map((t) => t.code)).toContain('deal_won')
    const report = await ok<{ canRunAppTriggers: boolean; appContext: boolean }>('profiles.test', profile.id)
    expect(report).toMatchObject({ canRunAppTriggers: true, appContext: true })
  })
})

describe('CSV sources and runs through the wiring', () => {
  it('reads a file path only after the open dialog returned it', async () => {
    const file = join(dataDir, 'ids.csv')
    writeFileSync(file, 'ID\n1\n2\n')
    expect(await call('csv.inspect', { path: file })).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } })
    expect(await call('csv.inspect', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } })
    dialogAnswers.csv = file
    expect(await ok('csv.open')).toEqual({ path: file, name: 'picked.csv' })
    expect(await ok('csv.inspect', { path: file })).toMatchObject({
      hasHeader: true,
      columns: [{ name: 'ID' }],
      previewRows: [['ID'], ['1'], ['2']],
      previewLines: [1, 2, 3],
      totalRowsEstimate: 2
    })
  })

  it('takes an Excel workbook dropped as bytes: sheets, a chosen sheet and header row, the same verdicts', async () => {
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('Notes').addRow(['read me'])
    const deals = wb.addWorksheet('Deals')
    deals.getCell('A1').value = 'Title row'
    deals.getRow(2).values = ['ID', 'Name']
    deals.getRow(3).values = [11, 'a']
    deals.getRow(4).values = [12.0, 'b']
    deals.getCell('A5').value = new Date(Date.UTC(2026, 0, 1))
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer())
    const seen = await ok<CsvInspection>('csv.inspect', { name: 'deals.xlsx', bytes })
    expect(seen).toMatchObject({ format: 'xlsx', sheets: ['Notes', 'Deals'], sheet: 'Deals', headerRow: 2, suggested: { idColumn: 0 } })
    expect(seen.previewLines).toEqual([2, 3, 4, 5])
    expect(await ok<CsvInspection>('csv.inspect', { name: 'deals.xlsx', bytes }, { sheet: 'Notes' })).toMatchObject({ sheet: 'Notes' })
    expect(await call('csv.inspect', { name: 'deals.xlsx', bytes }, { sheet: 'Nope' })).toMatchObject({ ok: false })
    const profile = (await ok<Profile[]>('profiles.list')).find((p) => p.kind === 'oauth')!
    const summary = await ok<ValidationSummary>('csv.validate', {
      profileId: profile.id,
      kind: 'app',
      code: 'deal_won',
      ownerTypeId: 2,
      source: { name: 'deals.xlsx', bytes },
      mapping: { idColumn: 0, hasHeader: true, sheet: 'Deals', headerRow: 2 },
      options: { verify: false, plan: 'standard' }
    } satisfies CreateRunRequest)
    expect(summary).toMatchObject({ total: 3, valid: 2, skipped: { 'not-integer': 1 } })
    expect(summary.examples).toMatchObject([{ line: 5, value: '2026-01-01' }])
  })

  it('reads pipelines and counts a CRM selection; refuses a bad one with its own code', async () => {
    const profile = (await ok<Profile[]>('profiles.list')).find((p) => p.kind === 'oauth')!
    sandbox.seedCrm({ entityTypeId: 2, fromId: 70_000, count: 120, categoryId: 3, stageIds: ['C3:NEW', 'C3:WON'] })
    const cats = await ok<{ id: number; name: string; stages: { id: string }[] }[]>('crm.categories', profile.id, 2)
    expect(cats.map((c) => c.name)).toEqual(['General', 'Wholesale'])
    const counted = await ok<{ count: number; filter: unknown }>('crm.count', profile.id, { entityTypeId: 2, categoryId: 3, stageIds: ['C3:WON'] })
    expect(counted).toMatchObject({ count: 60, filter: { categoryId: 3, '@stageId': ['C3:WON'] } })
    expect(await call('crm.count', profile.id, { entityTypeId: 2, rawFilter: '{">id": 1}' })).toMatchObject({ ok: false, error: { code: 'CRM_BAD_FILTER' } })
    expect(await call('crm.count', profile.id, { entityTypeId: 2, rawFilter: '{"nope": 1}' })).toMatchObject({ ok: false, error: { code: 'CRM_PORTAL_REFUSED' } })
    // The schema refuses what the UI never sends.
    expect(await call('crm.count', profile.id, { entityTypeId: 2, stageIds: 'C3:WON' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('judges a file as the CLI does: types without triggers skipped with their own reason, values kept', async () => {
    const profile = (await ok<Profile[]>('profiles.list')).find((p) => p.kind === 'oauth')!
    const bytes = new TextEncoder().encode('ID;Type\n1;deal\n2;6\n3;requisite\n12a;deal\n4;SHIP\n')
    const request: CreateRunRequest = {
      profileId: profile.id,
      kind: 'app',
      code: 'deal_won',
      source: { name: 'types.csv', bytes },
      mapping: { idColumn: 0, ownerTypeColumn: 1, hasHeader: true },
      options: { verify: false, plan: 'standard' }
    }
    const summary = await ok<ValidationSummary>('csv.validate', request)
    expect(summary).toMatchObject({ total: 5, valid: 1, skipped: { 'unsupported-owner-type': 2, 'not-integer': 1, 'unknown-owner-type': 1 } })
    expect(summary.examples.map((e) => [e.line, e.reason, e.value])).toEqual([
      [3, 'unsupported-owner-type', '6'],
      [4, 'unsupported-owner-type', 'requisite'],
      [5, 'not-integer', '12a'],
      [6, 'unknown-owner-type', 'SHIP']
    ])
    expect(summary.examples[0]?.detail).toMatch(/the portal would answer true and do nothing/)
    expect(await call('csv.validate', { ...request, mapping: { ...request.mapping, delimiter: 'x' } })).toMatchObject({
      ok: false,
      error: { code: 'CSV_BAD_MAPPING' }
    })

    const created = await ok<RunSummaryView>('runs.create', request)
    const rows = await ok<RowsPage>('runs.rows', { runId: created.id, offset: 0, limit: 10, outcome: 'skipped' })
    expect(rows.rows.map((r) => [r.line, r.ownerId, r.sourceValue, r.errorCode])).toEqual([
      [3, 2, '2', 'unsupported-owner-type'],
      [4, 3, '3', 'unsupported-owner-type'],
      [5, 0, '12a', 'not-integer'],
      [6, 4, '4', 'unknown-owner-type']
    ])
  })

  it('answers RUN_LOCKED for a run another process is sending', async () => {
    const profile = (await ok<Profile[]>('profiles.list')).find((p) => p.kind === 'oauth')!
    const created = await ok<RunSummaryView>('runs.create', pastedRun(profile.id, '1'))
    writeFileSync(join(dataDir, 'runs', created.id, 'run.lock'), String(process.ppid))
    expect((await ok<RunSummaryView>('runs.get', created.id)).status).toBe('running')
    expect(await call('runs.start', created.id)).toMatchObject({ ok: false, error: { code: 'RUN_LOCKED', message: expect.stringMatching(/another process/) } })
    rmSync(join(dataDir, 'runs', created.id, 'run.lock'))
    expect((await ok<RunSummaryView>('runs.cancel', created.id)).status).toBe('cancelled')
  })

  it('validates, creates, runs and exports a pasted list', async () => {
    const profile = (await ok<Profile[]>('profiles.list')).find((p) => p.kind === 'oauth')!
    const request = pastedRun(profile.id, '1 2 x 2 3')
    const summary = await ok<ValidationSummary>('csv.validate', request)
    expect(summary).toMatchObject({ total: 5, valid: 3, skipped: { 'not-integer': 1, duplicate: 1 } })
    expect(summary.examples.map((e) => e.reason)).toEqual(['not-integer', 'duplicate'])

    const created = await ok<RunSummaryView>('runs.create', request)
    expect(created.status).toBe('ready')
    await ok('runs.start', created.id)
    let run = created
    for (let i = 0; i < 100 && run.status !== 'finished'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      run = await ok<RunSummaryView>('runs.get', created.id)
    }
    expect(run.counts).toMatchObject({ succeeded: 3, skipped: 2, pending: 0 })
    expect(emitted.some((e) => e.event === 'runs.progress' && (e.payload as { runId: string }).runId === created.id)).toBe(true)
    // The desktop notification is told once the session ends, with the final counts.
    for (let i = 0; i < 50 && !ended.some((r) => r.id === created.id); i++) await new Promise((r) => setTimeout(r, 20))
    expect(ended.filter((r) => r.id === created.id)).toEqual([expect.objectContaining({ status: 'finished', counts: expect.objectContaining({ succeeded: 3 }) })])
    expect(await call('runs.start', created.id)).toMatchObject({ ok: false, error: { code: 'RUN_STATE' } })

    expect(await ok('runs.export', created.id, 'json')).toBeNull()
    dialogAnswers.exportPath = join(dataDir, 'out.json')
    expect(await ok('runs.export', created.id, 'json')).toEqual({ path: dialogAnswers.exportPath })
    const exported = JSON.parse(readFileSync(dialogAnswers.exportPath, 'utf8')) as { outcome: string }[]
    expect(exported.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'skipped', 'skipped', 'succeeded'])
  })
})

describe('finishing and overlapping runs over IPC', () => {
  it('asks about rows a recent run sent, skips them on request, and re-runs the rows a cancel left', async () => {
    const profile = (await ok<Profile[]>('profiles.list')).find((p) => p.kind === 'oauth')!
    const first = await ok<RunSummaryView>('runs.create', pastedRun(profile.id, '6 7'))
    await ok('runs.start', first.id)
    for (let i = 0; i < 100 && (await ok<RunSummaryView>('runs.get', first.id)).status !== 'finished'; i++) await new Promise((r) => setTimeout(r, 50))

    const second = await ok<RunSummaryView>('runs.create', pastedRun(profile.id, '6 7 8'))
    expect(await ok('runs.overlap', second.id)).toMatchObject({ rows: 2, succeeded: 2, runs: [{ id: first.id, rows: 2 }] })
    expect((await ok<RunSummaryView>('runs.skipDone', second.id)).counts).toMatchObject({ skipped: 2, pending: 1 })
    expect(await ok('runs.overlap', (await ok<RunSummaryView>('runs.create', pastedRun(profile.id, '9'))).id)).toBeNull()

    const cancelled = await ok<RunSummaryView>('runs.cancel', second.id)
    expect(cancelled.counts['not-run']).toBe(1)
    expect(await ok('runs.rerunPreview', second.id, 'not-run')).toMatchObject({ rows: 1, notRun: 1 })
    const rest = await ok<RunSummaryView>('runs.rerun', second.id, 'not-run')
    expect(rest).toMatchObject({ parentRunId: second.id, counts: { total: 1 } })
    expect(await ok('runs.rerunPreview', first.id, 'failed+uncertain', { includeMoved: true })).toMatchObject({ rows: 0 })
  })
})

/** deal_won on the deals of a pasted list. */
function pastedRun(profileId: string, text: string): CreateRunRequest {
  return {
    profileId,
    kind: 'app',
    code: 'deal_won',
    ownerTypeId: 2,
    source: { name: 'pasted', text, pasted: true },
    mapping: { idColumn: 0, hasHeader: false },
    options: { verify: false, plan: 'standard' }
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

// Last in this file: it leaves the sandbox's request bucket full for half a minute.
describe('lookups share the runs\' limits', () => {
  it('a trigger list asked while another client has filled the portal\'s request bucket waits its turn instead of failing', async () => {
    const profile = (await ok<Profile[]>('profiles.list')).find((p) => p.kind === 'oauth')!
    // Someone else (a CLI run, a second window) spends the portal's whole request bucket.
    const answers = await Promise.all(Array.from({ length: 60 }, () => fetch(`${sandbox.adminWebhookUrl}profile`).then((r) => r.status)))
    expect(answers).toContain(503)
    // The app's lookup goes through the runs' governors: refused once (nothing ran), it waits and goes again.
    const list = await call<{ code: string }[]>('triggers.list', profile.id)
    expect(list).toMatchObject({ ok: true })
  })
})
