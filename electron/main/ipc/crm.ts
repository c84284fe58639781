// crm.* and runs.createFromCrm / runs.preview: choosing items in the CRM as a run's rows, and the
// preview before firing. Core does the work (crm-source.ts, crm-run.ts, preview.ts), through
// the same request and operating governors as the profile's runs.
import type { PlannedRow } from '../../core/runs/run-types'
import { createCrmRun, limitsOf } from '../../core/runs/crm-run'
import { countSelection, enumerateIds, listCategories } from '../../core/runs/crm-source'
import { previewRun } from '../../core/runs/preview'
import type { RunPreview } from '../../shared/domain'
import type { PreviewRequest, RunOptions } from '../../shared/ipc'
import type { CoreContext } from './context'
import type { CsvWiring } from './csv'
import type { RunWiring } from './runs'
import type { HandlerMap } from './types'

type CrmChannels = 'crm.categories' | 'crm.count' | 'runs.createFromCrm' | 'runs.preview'

export function crmHandlers(ctx: CoreContext, runs: RunWiring, csv: CsvWiring): HandlerMap<CrmChannels> {
  async function profileRef(profileId: string): Promise<{ id: string; name: string; portalUrl: string; kind: 'oauth' | 'webhook' }> {
    const p = await ctx.profiles.get(profileId)
    return { id: p.id, name: p.name, portalUrl: p.portalUrl, kind: p.kind }
  }
  async function governors(profileId: string, options: RunOptions = { verify: false, plan: 'standard' }) {
    return runs.manager.governors(await profileRef(profileId), limitsOf(options))
  }
  async function stageNames(profileId: string, types: number[]): Promise<Map<string, string>> {
    const client = await ctx.profiles.clientFor(profileId)
    const names = new Map<string, string>()
    for (const t of types.slice(0, 5)) {
      try {
        for (const c of await listCategories(client, t)) for (const s of c.stages) names.set(s.id, s.name)
      } catch {
        // Names are a nicety.
      }
    }
    return names
  }

  return {
    async 'crm.categories'(profileId, entityTypeId) {
      return listCategories(await ctx.profiles.clientFor(profileId), entityTypeId, await governors(profileId))
    },
    async 'crm.count'(profileId, selection) {
      return countSelection(await ctx.profiles.clientFor(profileId), selection, await governors(profileId))
    },
    async 'runs.createFromCrm'(req) {
      const client = await ctx.profiles.clientFor(req.profileId)
      return createCrmRun(runs.manager, client, {
        profile: await profileRef(req.profileId),
        kind: req.kind,
        code: req.code,
        selection: req.selection,
        catalog: await ctx.ownerTypes(req.profileId),
        options: req.options
      }, { governors: await governors(req.profileId, req.options) })
    },
    async 'runs.preview'(req: PreviewRequest): Promise<RunPreview> {
      const profileId = 'file' in req ? req.file.profileId : req.crm.profileId
      const options = 'file' in req ? req.file.options : req.crm.options
      const client = await ctx.profiles.clientFor(profileId)
      const g = await governors(profileId, options)
      let rows: Pick<PlannedRow, 'ownerTypeId' | 'ownerId'>[]
      if ('file' in req) {
        rows = (await csv.plan(req.file)).spec.rows.filter((r) => r.verdict === 'valid')
      } else {
        rows = []
        const type = req.crm.selection.entityTypeId
        for await (const page of enumerateIds(client, req.crm.selection, { governors: g })) for (const ownerId of page) rows.push({ ownerTypeId: type, ownerId })
      }
      const catalog = await ctx.ownerTypes(profileId)
      const smart = new Set(catalog.types.filter((t) => t.id >= 128).map((t) => t.id))
      return previewRun(client, {
        rows,
        ...limitsOf(options),
        governors: g,
        smartProcessTypes: smart,
        stageNames: await stageNames(profileId, [...new Set(rows.map((r) => r.ownerTypeId))])
      })
    }
  }
}
