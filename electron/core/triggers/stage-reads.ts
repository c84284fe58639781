// Verification reads (DESIGN.md fact 2): `result: true` does not mean the item moved, so the
// runner reads stageId before and after. crm.item.list with an `@id` filter serves up to 50 ids
// per command (one page), and a batch carries up to 50 commands. The transport is the caller's:
// the runner paces these batches with its own governors.
import type { ErrorInfo } from '../../shared/domain'
import { SyntheticCode } from '../bitrix/classify'
import { BitrixError } from '../bitrix/errors'
import type { BatchCommand, BatchItemResult, BatchResponse } from '../bitrix/types'

export const IDS_PER_COMMAND = 50
export const COMMANDS_PER_BATCH = 50

/** Types whose items crm.item.list serves with a stageId: leads, deals, quotes, smart invoices,
 * smart documents and SPAs. Old invoices (5) and orders (14) have no crm.item factory, and
 * contacts/companies have no stages. */
export function canReadStages(ownerTypeId: number, isSmartProcess = false): boolean {
  return isSmartProcess || [1, 2, 7, 31, 36].includes(ownerTypeId)
}

export interface StageReadCommand extends BatchCommand {
  /** The ids this command asks for. */
  ids: number[]
}

/** Splits ids into batches (≤ 50 commands) of crm.item.list commands (≤ 50 ids each). */
export function buildStageReadCommands(ownerTypeId: number, ids: readonly number[]): StageReadCommand[][] {
  const unique = [...new Set(ids)]
  const commands: StageReadCommand[] = []
  for (let i = 0; i < unique.length; i += IDS_PER_COMMAND) {
    const chunk = unique.slice(i, i + IDS_PER_COMMAND)
    commands.push({
      // Non-numeric labels: numeric ones make the portal answer with lists.
      label: `s${commands.length}`,
      method: 'crm.item.list',
      params: { entityTypeId: ownerTypeId, filter: { '@id': chunk }, select: ['id', 'stageId'] },
      ids: chunk
    })
  }
  const batches: StageReadCommand[][] = []
  for (let i = 0; i < commands.length; i += COMMANDS_PER_BATCH) batches.push(commands.slice(i, i + COMMANDS_PER_BATCH))
  return batches
}

export interface StageReadResults {
  /** id → stageId, or undefined when the portal has no such item. */
  stages: Map<number, string | undefined>
  /** Ids whose command failed or did not run: their stage is unknown, NOT "not found". */
  failed: Map<number, ErrorInfo>
}

const NO_ANSWER: ErrorInfo = {
  code: SyntheticCode.MALFORMED_RESPONSE,
  description: 'The batch answer has neither a result nor an error for this read.',
  status: 0,
  kind: 'ambiguous'
}

/** Reads one batch's answer for the commands it carried. */
export function parseStageReadResults(commands: readonly StageReadCommand[], items: readonly BatchItemResult[], into?: StageReadResults): StageReadResults {
  const out = into ?? { stages: new Map(), failed: new Map() }
  const byLabel = new Map(items.map((item) => [item.label, item]))
  for (const command of commands) {
    const item = byLabel.get(command.label)
    if (!item || item.state === 'absent') {
      for (const id of command.ids) out.failed.set(id, NO_ANSWER)
      continue
    }
    if (item.state === 'error') {
      for (const id of command.ids) out.failed.set(id, item.error)
      continue
    }
    const found = new Map<number, string>()
    const rows = (item.result as { items?: unknown } | null)?.items
    for (const row of Array.isArray(rows) ? rows : []) {
      const r = row as { id?: unknown; stageId?: unknown }
      const id = Number(r.id)
      if (Number.isInteger(id) && typeof r.stageId === 'string') found.set(id, r.stageId)
    }
    for (const id of command.ids) out.stages.set(id, found.get(id))
  }
  return out
}

export type RunBatch = (commands: BatchCommand[]) => Promise<BatchResponse>

/** Reads the stages of many items, one batch at a time, through `runBatch`. */
export async function readStageDetails(runBatch: RunBatch, ownerTypeId: number, ids: readonly number[]): Promise<StageReadResults> {
  const results: StageReadResults = { stages: new Map(), failed: new Map() }
  for (const batch of buildStageReadCommands(ownerTypeId, ids)) {
    const response = await runBatch(batch.map(({ label, method, params }) => ({ label, method, params })))
    parseStageReadResults(batch, response.items, results)
  }
  return results
}

/** Like readStageDetails, but all-or-nothing: throws the first read error instead of a partial map. */
export async function readStages(runBatch: RunBatch, ownerTypeId: number, ids: readonly number[]): Promise<Map<number, string | undefined>> {
  const { stages, failed } = await readStageDetails(runBatch, ownerTypeId, ids)
  const first = failed.values().next()
  if (!first.done) {
    const info = first.value
    throw new BitrixError({ code: info.code, description: info.description, status: info.status, kind: info.kind, method: 'crm.item.list' })
  }
  return stages
}
