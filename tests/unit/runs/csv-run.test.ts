// Planning a run from a CSV source (core's planCsvRun, which both front ends call): per-row owner
// types judged against the catalog (unknown vs. unsupported), the pre-flight summary with the
// offending values, the run settings, and the raw ID cell of skipped rows kept through the
// journal to the results table and the export.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunOptions } from '../../../electron/shared/ipc'
import { createRunManager } from '../../../electron/core/runs'
import { ownerTypeResolver, planCsvRun, type CsvRunRequest } from '../../../electron/core/runs/csv-run'
import { verdictText } from '../../../electron/core/runs/csv-verdicts'
import { STATIC_CATALOG, type OwnerTypeCatalog } from '../../../electron/core/triggers/owner-types'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-run-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const profile = { id: 'p1', name: 'Shop', portalUrl: 'https://shop.bitrix24.com', kind: 'oauth' as const }
const options: RunOptions = { verify: false, plan: 'standard' }

/** A portal with one smart process whose automation is on and one whose automation is off. */
const portal: OwnerTypeCatalog = {
  source: 'portal',
  spaSettingsKnown: true,
  types: [
    ...STATIC_CATALOG.types,
    { id: 177, name: 'Projects', symbol: 'DYNAMIC_177', short: 'Tb1', supportsTriggers: true, fanOut: false, isSmartProcess: true },
    { id: 156, name: 'Contracts', symbol: 'DYNAMIC_156', short: 'T9c', supportsTriggers: false, fanOut: false, isSmartProcess: true }
  ]
}

async function file(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, lines.join('\n') + '\n')
  return path
}

function request(path: string, extra: Partial<CsvRunRequest> = {}): CsvRunRequest {
  return {
    profile,
    kind: 'app',
    source: { name: 'deals.csv', input: path, path, mapping: { idColumn: 0, ownerTypeColumn: 1, hasHeader: true } },
    defaults: { code: 'go', ownerTypeId: 2 },
    catalog: portal,
    options,
    ...extra
  }
}

describe('ownerTypeResolver', () => {
  it('tells a type that cannot run triggers from one that does not exist', () => {
    const resolve = ownerTypeResolver(portal)
    expect(resolve('deal')).toBe(2)
    expect(resolve('Tb1')).toBe(177)
    // A contact fans out to its deals: allowed (validation warns).
    expect(resolve('3')).toBe(3)
    expect(resolve('6')).toEqual({ unsupported: 6 })
    expect(resolve('REQUISITE')).toEqual({ unsupported: 8 })
    expect(resolve('156')).toEqual({ unsupported: 156 })
    expect(resolve('SHIP')).toBeUndefined()
    expect(resolve('999')).toBeUndefined()
    // Offline, a smart-process id cannot be checked: it is let through.
    expect(ownerTypeResolver(STATIC_CATALOG)('177')).toBe(177)
  })

  it('knows types the portal defines but leaves out of crm.enum.ownertype (6 Activity)', () => {
    const listed = { ...portal, types: portal.types.filter((t) => t.id !== 6) }
    expect(ownerTypeResolver(listed)('6')).toEqual({ unsupported: 6 })
    expect(ownerTypeResolver(listed)('activity')).toEqual({ unsupported: 6 })
  })
})

describe('planCsvRun', () => {
  it('skips rows of types without triggers with their own reason and the portal fact', async () => {
    const path = await file('types.csv', ['ID;Type', '1;deal', '2;6', '3;8', '4;SHIP', '5;156', '6;Tb1', '12a;deal', '1;2', ';deal'])
    const { summary, validation, spec } = await planCsvRun(request(path))
    expect(summary.byReason).toMatchObject({ 'unsupported-owner-type': 3, 'unknown-owner-type': 1, 'not-integer': 1, duplicate: 1, empty: 1 })
    expect(validation).toMatchObject({ total: 9, valid: 2, skipped: { 'unsupported-owner-type': 3, 'unknown-owner-type': 1, 'not-integer': 1, duplicate: 1, empty: 1 } })
    expect(validation.skipped).not.toHaveProperty('bad-code')
    const activity = spec.rows.find((r) => r.line === 3)!
    expect(activity).toMatchObject({ verdict: 'unsupported-owner-type', ownerTypeId: 6, ownerId: 2, raw: '6', idCell: '2' })
    expect(verdictText({ ...activity, code: '' })).toBe('owner type "6" has no automation triggers: the portal would answer true and do nothing')
    expect(spec.rows.find((r) => r.line === 5)).toMatchObject({ verdict: 'unknown-owner-type', ownerTypeId: 0 })
    // Examples in file order, each with its reason code, its words and the offending value.
    expect(validation.examples).toEqual([
      { line: 3, reason: 'unsupported-owner-type', detail: expect.stringContaining('would answer true and do nothing'), value: '6' },
      { line: 4, reason: 'unsupported-owner-type', detail: expect.stringContaining('"8"'), value: '8' },
      { line: 5, reason: 'unknown-owner-type', detail: 'unknown owner type "SHIP"', value: 'SHIP' },
      { line: 6, reason: 'unsupported-owner-type', detail: expect.stringContaining('"156"'), value: '156' },
      { line: 8, reason: 'not-integer', detail: 'owner ID "12a" is not a whole number', value: '12a' },
      { line: 9, reason: 'duplicate', detail: 'duplicate of line 2', value: '1' },
      { line: 10, reason: 'empty', detail: 'no owner ID in this row' }
    ])
  })

  it('refuses a default owner type that cannot run triggers, and unknown separators', async () => {
    const path = await file('ids.csv', ['ID', '1', '2'])
    const mapping = { idColumn: 0, hasHeader: true }
    const source = { name: 'ids.csv', input: path, path, mapping }
    await expect(planCsvRun(request(path, { source, defaults: { code: 'go', ownerTypeId: 6 } }))).rejects.toMatchObject({
      code: 'bad-default',
      message: expect.stringMatching(/would answer true and do nothing/)
    })
    await expect(planCsvRun(request(path, { source: { ...source, mapping: { ...mapping, delimiter: 'x' as never } } }))).rejects.toMatchObject({
      code: 'bad-mapping'
    })
  })

  it('builds the run spec: the separator as read, custom limits only with the custom plan, symbols for webhook triggers', async () => {
    const path = await file('spec.csv', ['ID;Type', '1;deal', '2;Tb1'])
    const custom = { verify: true, plan: 'custom' as const, rate: { burst: 10, drainPerSec: 1 }, operating: { limitSec: 60, windowSec: 600 }, maxAttempts: 3 }
    const planned = await planCsvRun(request(path, { kind: 'webhook', options: custom }))
    expect(planned.spec).toMatchObject({
      profile,
      trigger: { kind: 'webhook', code: 'go' },
      defaultOwnerTypeId: 2,
      source: { name: 'deals.csv', path, mapping: { idColumn: 0, ownerTypeColumn: 1, delimiter: ';' }, layout: { delimiter: ';', hasHeader: true } },
      options: custom,
      ownerSymbols: { 177: 'DYNAMIC_177', 156: 'DYNAMIC_156' }
    })
    const standard = await planCsvRun(request(path, { options: { ...custom, plan: 'standard' } }))
    expect(standard.spec.options).toEqual({ verify: true, plan: 'standard', maxAttempts: 3 })
    expect(standard.spec.ownerSymbols).toBeUndefined()
  })

  it('plans a pasted list with the defaults, keeping each bad item as typed', async () => {
    const planned = await planCsvRun(request('', { source: { name: 'pasted list', pasted: '5, 6 x7 5' } }))
    expect(planned.validation).toMatchObject({ total: 4, valid: 2, skipped: { 'not-integer': 1, duplicate: 1 } })
    expect(planned.validation.examples.map((e) => e.value)).toEqual(['x7', '5'])
    expect(planned.spec.source).toEqual({ name: 'pasted list' })
  })
})

describe('the ID cell of a skipped row, from the import to the table and the export', () => {
  it('is kept through the journal into RunRowView.sourceValue, the search and the export', async () => {
    const path = await file('keep.csv', ['ID;Type', '7;deal', '12a;deal', '8;6', '7;deal', '  -3 ;deal'])
    const { spec } = await planCsvRun(request(path))
    const manager = createRunManager({ dataDir: dir, clientFor: () => Promise.reject(new Error('no portal in this test')) })
    const { id } = await manager.createRun(spec)

    // Read back from the journal by a manager that never saw the import.
    const fresh = createRunManager({ dataDir: dir, clientFor: () => Promise.reject(new Error('no portal in this test')) })
    const skipped = await fresh.rows({ runId: id, offset: 0, limit: 10, outcome: 'skipped' })
    expect(skipped.rows.map((r) => [r.line, r.ownerId, r.sourceValue, r.errorCode, r.errorText])).toEqual([
      [3, 0, '12a', 'not-integer', 'owner ID "12a" is not a whole number'],
      [4, 8, '8', 'unsupported-owner-type', 'owner type "6" has no automation triggers: the portal would answer true and do nothing'],
      [5, 7, '7', 'duplicate', 'duplicate of line 2'],
      [6, 0, '-3', 'not-positive', 'owner ID "-3" is not greater than 0']
    ])
    const valid = await fresh.rows({ runId: id, offset: 0, limit: 10, outcome: 'pending' })
    expect(valid.rows).toHaveLength(1)
    expect(valid.rows[0]!.sourceValue).toBeUndefined()
    expect((await fresh.rows({ runId: id, offset: 0, limit: 10, search: '12A' })).rows.map((r) => r.line)).toEqual([3])

    const out = join(dir, 'keep-results.json')
    expect(await fresh.export(id, 'json', out)).toEqual({ rows: 5, sourceColumns: true })
    const exported = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>[]
    expect(exported.map((r) => [r.line, r.owner_id, r.source_value, r.error_code])).toEqual([
      [2, 7, null, 'pending'],
      [3, null, '12a', 'not-integer'],
      [4, 8, '8', 'unsupported-owner-type'],
      [5, 7, '7', 'duplicate'],
      [6, null, '-3', 'not-positive']
    ])
  })

  it('says why the source columns are missing when the file changed since the import', async () => {
    const path = await file('edited.csv', ['ID', '1', 'x'])
    const { spec } = await planCsvRun(request(path, { source: { name: 'edited.csv', input: path, path, mapping: { idColumn: 0, hasHeader: true } } }))
    const manager = createRunManager({ dataDir: dir, clientFor: () => Promise.reject(new Error('no portal in this test')) })
    const { id } = await manager.createRun(spec)
    await writeFile(path, 'ID\n1\ny\n')
    const report = await manager.export(id, 'csv', join(dir, 'edited-results.csv'))
    expect(report).toEqual({ rows: 2, sourceColumns: false, withoutSource: expect.stringMatching(/changed since it was imported/) })
    const text = await readFile(join(dir, 'edited-results.csv'), 'utf8')
    expect(text.split('\r\n')[2]).toMatch(/^3;;;x;;skipped;not-integer;/)
  })
})
