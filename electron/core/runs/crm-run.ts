// A run on items chosen in the CRM. The matching IDs are read (crm-source.ts) and streamed into
// the new run's journal as they arrive, with the selection and the exact filter in run.json, all
// before the first trigger is sent: resume, export and re-run then work on exactly that list,
// whatever happens in the CRM meanwhile. The desktop app and the CLI both create them here.
import type { CrmSelection, TriggerKind } from '../../shared/domain'
import type { RunOptions } from '../../shared/ipc'
import type { RunSummaryView } from '../../shared/ipc'
import type { BitrixClient } from '../bitrix/types'
import { checkOwnerType, isValidTriggerCodeText } from './crm-run-checks'
import type { OwnerTypeCatalog } from '../triggers/owner-types'
import { CrmSelectionError, enumerateIds, selectionFilter, type Governors } from './crm-source'
import type { RunManager } from './run-manager'
import type { PlannedRow, RunProfileRef, RunSettings, RunSpec } from './run-types'
import { presetRate } from '../bitrix/pacing/request-governor'
import { CLOUD_OPERATING } from '../bitrix/pacing/operating-governor'

export interface CrmRunRequest {
  profile: RunProfileRef
  kind: TriggerKind
  code: string
  selection: CrmSelection
  catalog: OwnerTypeCatalog
  options: RunOptions
  /** Shown in history; default "<type> in the CRM". */
  name?: string
}

/** IDs per journal chunk (as written; the enumeration reads up to 2,500 per request). */
const CHUNK = 5000

/** The rate and operating limits a run with these options gets, for pacing the reads too. */
export function limitsOf(options: RunOptions): Pick<RunSettings, 'rate' | 'operating'> {
  const custom = options.plan === 'custom'
  return {
    rate: (custom && options.rate) || presetRate(options.plan),
    operating: (custom && options.operating) || { ...CLOUD_OPERATING }
  }
}

export function crmRunSpec(req: CrmRunRequest, frozenAt: string): Omit<RunSpec, 'rows'> {
  const type = checkOwnerType(req.selection.entityTypeId, req.catalog)
  if (!isValidTriggerCodeText(req.code)) {
    throw new CrmSelectionError('bad-selection', `The trigger code "${req.code}" is not allowed: use Latin letters, digits, ".", "-" and "_", and not "0".`)
  }
  const filter = selectionFilter(req.selection)
  const custom = req.options.plan === 'custom'
  return {
    profile: req.profile,
    trigger: { kind: req.kind, code: req.code },
    defaultOwnerTypeId: req.selection.entityTypeId,
    source: {
      name: req.name ?? `${type.name} in the CRM`,
      crm: { entityTypeId: req.selection.entityTypeId, selection: req.selection, filter, frozenAt }
    },
    options: {
      verify: req.options.verify,
      plan: req.options.plan,
      ...(custom && req.options.rate && { rate: req.options.rate }),
      ...(custom && req.options.operating && { operating: req.options.operating }),
      ...(req.options.maxAttempts !== undefined && { maxAttempts: req.options.maxAttempts })
    }
  }
}

/** Reads every matching ID into a new run (not started). */
export async function createCrmRun(
  runs: RunManager,
  client: BitrixClient,
  req: CrmRunRequest,
  hooks: { onProgress?: (ids: number) => void; signal?: AbortSignal; governors?: Governors; callsPerBatch?: number } = {}
): Promise<RunSummaryView> {
  const spec = crmRunSpec(req, new Date().toISOString())
  const governors = hooks.governors ?? runs.governors(req.profile, limitsOf(req.options))
  const entityTypeId = req.selection.entityTypeId
  async function* rows(): AsyncGenerator<PlannedRow[]> {
    let line = 0
    let chunk: PlannedRow[] = []
    for await (const page of enumerateIds(client, req.selection, {
      governors,
      ...(hooks.signal && { signal: hooks.signal }),
      ...(hooks.onProgress && { onProgress: hooks.onProgress }),
      ...(hooks.callsPerBatch !== undefined && { callsPerBatch: hooks.callsPerBatch })
    })) {
      for (const ownerId of page) chunk.push({ line: ++line, ownerTypeId: entityTypeId, ownerId, code: req.code, verdict: 'valid' })
      if (chunk.length >= CHUNK) {
        yield chunk
        chunk = []
      }
    }
    if (chunk.length) yield chunk
  }
  return runs.createStreamedRun(spec, rows())
}
