// Items chosen in the CRM, over real HTTP against the sandbox: every filter, the count and
// sample, keyset paging chained inside batches with $result references, pipelines and stages,
// and the ID list frozen into a run's journal before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RequestGovernor } from '../../../electron/core/bitrix/pacing/request-governor'
import { OperatingGovernor } from '../../../electron/core/bitrix/pacing/operating-governor'
import { STATIC_CATALOG } from '../../../electron/core/triggers/owner-types'
import { createCrmRun } from '../../../electron/core/runs/crm-run'
import {
  chainCommands,
  countSelection,
  CrmSelectionError,
  enumerateIds,
  listCategories,
  parseRawFilter,
  resolveStages,
  selectionFilter
} from '../../../electron/core/runs/crm-source'
import type { CrmSelection } from '../../../electron/shared/domain'
import { CODE, DEAL, rig, type Rig } from './helpers'

let r: Rig

async function allIds(sel: CrmSelection, callsPerBatch = 50): Promise<number[]> {
  const out: number[] = []
  for await (const page of enumerateIds(r.client(), sel, { callsPerBatch })) out.push(...page)
  return out
}

beforeAll(async () => {
  r = await rig({ deals: 0, rate: false, operating: false })
  // General pipeline: 1000..1599, NEW/PREPARATION alternating, owners 1 and 2, an hour apart from 2026-02-27.
  r.sandbox.seedCrm({ entityTypeId: DEAL, fromId: 1000, count: 600, stageIds: ['NEW', 'PREPARATION'], assignedByIds: [1, 2], createdFrom: '2026-02-27T00:00:00+00:00' })
  // Wholesale pipeline (category 3): 5000..7999, three stages, a day apart from 2026-01-01.
  r.sandbox.seedCrm({
    entityTypeId: DEAL,
    fromId: 5000,
    count: 3000,
    categoryId: 3,
    stageIds: ['C3:NEW', 'C3:PREPARATION', 'C3:WON'],
    assignedByIds: [2],
    createdFrom: '2026-01-01T12:00:00+00:00',
    stepMinutes: 24 * 60
  })
})
afterAll(async () => {
  await r.close()
})

describe('selection filters', () => {
  it('maps each choice to a crm.item.list filter, whole days included', () => {
    expect(
      selectionFilter({
        entityTypeId: 2,
        categoryId: 3,
        stageIds: ['C3:NEW', 'C3:NEW', 'C3:PREPARATION'],
        createdFrom: '2026-03-01',
        createdTo: '2026-03-31',
        updatedFrom: '2026-04-01',
        assignedByIds: [2, 7],
        rawFilter: '{"opportunity": 0}'
      })
    ).toEqual({
      categoryId: 3,
      '@stageId': ['C3:NEW', 'C3:PREPARATION'],
      '>=createdTime': '2026-03-01T00:00:00',
      '<createdTime': '2026-04-01T00:00:00',
      '>=updatedTime': '2026-04-01T00:00:00',
      '@assignedById': [2, 7],
      opportunity: 0
    })
  })

  it('refuses bad input before anything is sent', () => {
    expect(() => selectionFilter({ entityTypeId: 2, createdFrom: '01.03.2026' })).toThrow(/YYYY-MM-DD/)
    expect(() => selectionFilter({ entityTypeId: 2, createdFrom: '2026-02-30' })).toThrow(/not a date/)
    expect(() => selectionFilter({ entityTypeId: 2, createdFrom: '2026-03-02', createdTo: '2026-03-01' })).toThrow(/after/)
    expect(() => parseRawFilter('{oops')).toThrow(CrmSelectionError)
    expect(() => parseRawFilter('[1]')).toThrow(/JSON object/)
    expect(() => parseRawFilter('{">id": 5}')).toThrow(/pages by id itself/)
    expect(() => parseRawFilter('{"a b": 1}')).toThrow(/not a filter key/)
    expect(() => parseRawFilter('{"title": {"x": 1}}')).toThrow(/must be a number/)
    expect(() => selectionFilter({ entityTypeId: 2, categoryId: 3, rawFilter: '{"categoryId": 1}' })).toThrow(/already set/)
  })

  it('counts and samples each filter against the portal', async () => {
    const client = r.client()
    const count = async (sel: Omit<CrmSelection, 'entityTypeId'>): Promise<number> => (await countSelection(client, { entityTypeId: DEAL, ...sel })).count
    expect(await count({})).toBe(3600)
    expect(await count({ categoryId: 0 })).toBe(600)
    expect(await count({ categoryId: 3 })).toBe(3000)
    expect(await count({ stageIds: ['C3:NEW', 'C3:WON'] })).toBe(2000)
    expect(await count({ assignedByIds: [1] })).toBe(300)
    // 2026-03-01 and 03-02 of the hourly general pipeline (48) + the two wholesale days (2).
    expect(await count({ createdFrom: '2026-03-01', createdTo: '2026-03-02' })).toBe(50)
    expect(await count({ updatedFrom: '2026-03-01', updatedTo: '2026-03-02', categoryId: 3 })).toBe(2)
    expect(await count({ rawFilter: '{"@assignedById": [2], "categoryId": 0}' })).toBe(300)
    const sampled = await countSelection(client, { entityTypeId: DEAL, categoryId: 3, stageIds: ['C3:WON'] })
    expect(sampled.sample).toHaveLength(10)
    expect(sampled.sample[0]).toMatchObject({ id: 5002, stageId: 'C3:WON', categoryId: 3, assignedById: 2 })
    // An unknown field is refused by the portal, before any run exists.
    await expect(countSelection(client, { entityTypeId: DEAL, rawFilter: '{"noSuchField": 1}' })).rejects.toMatchObject({ code: 'portal-refused' })
  })
})

describe('enumeration', () => {
  it('pages with >id inside one batch: 50 chained calls carry 2,500 IDs per request', async () => {
    const before = r.sandbox.stats()
    const ids = await allIds({ entityTypeId: DEAL, categoryId: 3 })
    const after = r.sandbox.stats()
    expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => 5000 + i))
    // 3000 IDs = 60 pages: two requests (50 + 10 chained calls), not 60.
    expect(after.batches - before.batches).toBe(2)
    expect(after.requests - before.requests).toBe(2)
  })

  it('gives the same IDs with one call per batch and with filters that skip most items', async () => {
    const wanted = { entityTypeId: DEAL, categoryId: 3, stageIds: ['C3:PREPARATION'], createdFrom: '2026-02-01', createdTo: '2026-12-31' }
    const chained = await allIds(wanted, 50)
    const single = await allIds(wanted, 1)
    expect(chained).toEqual(single)
    expect(chained.length).toBe((await countSelection(r.client(), wanted)).count)
    expect(chained.every((id) => (id - 5000) % 3 === 1)).toBe(true)
    // An exact multiple of the page, so the last full page is followed by an empty one.
    expect(await allIds({ entityTypeId: DEAL, categoryId: 0, assignedByIds: [1], createdTo: '2026-03-05' })).toHaveLength(
      (await countSelection(r.client(), { entityTypeId: DEAL, categoryId: 0, assignedByIds: [1], createdTo: '2026-03-05' })).count
    )
  })

  it('builds the chain the documentation describes', () => {
    const cmds = chainCommands(2, { categoryId: 3 }, 77, 3)
    expect(cmds.map((c) => (c.params.filter as Record<string, unknown>)['>id'])).toEqual([77, '$result[p0][items][49][id]', '$result[p1][items][49][id]'])
    expect(cmds[0]!.params).toMatchObject({ order: { id: 'ASC' }, select: ['id'], start: -1 })
  })

  it('is paced by the run governors: the request bucket is never overdrawn', async () => {
    const rate = { burst: 2, drainPerSec: 10 }
    const limited = await rig({ deals: 0, rate, operating: false })
    try {
      limited.sandbox.seedCrm({ entityTypeId: DEAL, fromId: 1, count: 6000, stageIds: ['NEW'] })
      const governors = {
        request: new RequestGovernor({ limits: rate }),
        operating: new OperatingGovernor({ limits: { limitSec: 480, windowSec: 600 } })
      }
      let n = 0
      const started = Date.now()
      for await (const page of enumerateIds(limited.client(), { entityTypeId: DEAL }, { governors, callsPerBatch: 5 })) n += page.length
      const seconds = (Date.now() - started) / 1000
      expect(n).toBe(6000)
      const batches = limited.sandbox.stats().batches
      // 6,000 IDs at 5 pages per batch (the first a 1-call probe): 25 requests, paced to 10/s after the burst.
      expect(batches).toBeGreaterThanOrEqual(6000 / 250)
      expect(seconds).toBeGreaterThanOrEqual((batches - rate.burst) / rate.drainPerSec - 0.2)
      expect(limited.sandbox.stats().rejected503).toBe(0)
    } finally {
      await limited.close()
    }
  })
})

describe('pipelines and stages', () => {
  it('lists pipelines with their stages and resolves stages by id, code or name', async () => {
    const cats = await listCategories(r.client(), DEAL)
    expect(cats.map((c) => [c.id, c.name])).toEqual([
      [0, 'General'],
      [3, 'Wholesale']
    ])
    expect(cats[1]!.stages.map((s) => s.id)).toEqual(['C3:NEW', 'C3:PREPARATION', 'C3:WON', 'C3:LOSE'])
    expect(resolveStages(['NEW', 'negotiation', 'C3:WON'], cats, 3)).toEqual(['C3:NEW', 'C3:PREPARATION', 'C3:WON'])
    expect(resolveStages(['NEW'], cats, 0)).toEqual(['NEW'])
    expect(() => resolveStages(['Nowhere'], cats, 3)).toThrow(/No stage "Nowhere" in pipeline 3\. Stages: C3:NEW "New order"/)
    expect(() => resolveStages(['NEW'], cats, 9)).toThrow(/No pipeline 9/)
    const leads = await listCategories(r.client(), 1)
    expect(leads[0]!.stages.map((s) => s.id)).toContain('IN_PROCESS')
  })
})

describe('a run from the CRM', () => {
  it('freezes the matching IDs into the journal, with the filter, before anything is sent', async () => {
    r.sandbox.addAppTrigger(r.sandbox.app.clientId, CODE, 'Deal won')
    const runs = r.manager()
    const before = r.sandbox.stats().executes
    const view = await createCrmRun(runs, r.client(), {
      profile: { id: 'p1', name: 'Sandbox', portalUrl: r.sandbox.url, kind: 'oauth' },
      kind: 'app',
      code: CODE,
      selection: { entityTypeId: DEAL, categoryId: 3, stageIds: ['C3:NEW'] },
      catalog: STATIC_CATALOG,
      options: { verify: false, plan: 'standard' }
    })
    expect(view.counts.total).toBe(1000)
    expect(r.sandbox.stats().executes).toBe(before)
    const loaded = await runs.load(view.id)
    expect(loaded.meta.source.crm).toMatchObject({ entityTypeId: DEAL, filter: { categoryId: 3, '@stageId': ['C3:NEW'] } })
    expect(loaded.meta.source.name).toBe('Deal in the CRM')
    const page = await runs.rows({ runId: view.id, offset: 0, limit: 3 })
    expect(page.rows.map((row) => row.ownerId)).toEqual([5000, 5003, 5006])
  })
})
