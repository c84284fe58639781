// Preview before firing: the current stage of every selected item, read in batches with the
// verification reads (stage-reads.ts: crm.item.list @id, 50 ids per call, 50 calls per batch)
// through the run's governors, summed up by pipeline and stage; items the portal does not
// return (deleted, or not visible to this user); and the run's duration from the binding limit.
import type { RateLimits, RunPreview } from '../../shared/domain'
import { isBitrixError } from '../bitrix/errors'
import type { BitrixClient } from '../bitrix/types'
import { buildStageReadCommands, canReadStages, parseStageReadResults, type StageReadResults } from '../triggers/stage-reads'
import type { Governors } from './crm-source'

const READ_METHOD = 'crm.item.list'
const ROWS_PER_REQUEST = 50
const NOT_FOUND_SAMPLE = 20
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Runs over this many valid rows get the preview unless the admin turns it off. */
export const PREVIEW_BY_DEFAULT_ABOVE = 300

export interface PreviewInput {
  rows: Iterable<{ ownerTypeId: number; ownerId: number }>
  rate: RateLimits
  operating: { limitSec: number; windowSec: number }
  /** Operating seconds per trigger if known (e.g. from an earlier run of the same code). */
  triggerCostSec?: number
  /** SPA types (their items have stages too). */
  smartProcessTypes?: ReadonlySet<number>
  /** Stage id → name, when known (crm.status.list). */
  stageNames?: ReadonlyMap<string, string>
  governors?: Governors
  onProgress?: (read: number, total: number) => void
}

/** The pipeline a stage id belongs to: C3:NEW → 3, DT177_1:NEW → 1, NEW → 0. */
export function categoryOfStage(stageId: string): number {
  const i = stageId.indexOf(':')
  if (i < 0) return 0
  const m = /^C(\d+)$/.exec(stageId.slice(0, i)) ?? /^DT\d+_(\d+)$/.exec(stageId.slice(0, i))
  return m ? Number(m[1]) : 0
}

/** How long a run of `rows` triggers takes at the limits: the request bucket (burst free, then
 * `drainPerSec`), and the operating budget when the cost per trigger is known. */
export function estimateDuration(rows: number, rate: RateLimits, operating: { limitSec: number; windowSec: number }, triggerCostSec?: number): RunPreview['estimate'] {
  const requests = Math.ceil(rows / ROWS_PER_REQUEST)
  const rateSec = Math.max(0, requests - rate.burst) / rate.drainPerSec
  const out: RunPreview['estimate'] = { requests, rateSec, seconds: rateSec, binding: 'rate' }
  if (triggerCostSec !== undefined && triggerCostSec > 0) {
    // The whole budget once per window: the first window's share is free at the start.
    const operatingSec = Math.max(0, Math.ceil((rows * triggerCostSec) / operating.limitSec) - 1) * operating.windowSec
    out.operatingSec = operatingSec
    if (operatingSec > rateSec) {
      out.seconds = operatingSec
      out.binding = 'operating'
    }
  }
  return out
}

async function readBatch(client: BitrixClient, g: Governors | undefined, commands: ReturnType<typeof buildStageReadCommands>[number], into: StageReadResults): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (g) {
      const admitted = g.operating.admit(READ_METHOD, commands.length, 1)
      if (admitted.calls === 0) {
        await sleep(Math.max(1, Math.min(admitted.waitMs, 60_000)))
        continue
      }
      await g.request.acquire()
    }
    const reservation = g?.operating.reserve(READ_METHOD, commands.length)
    try {
      const answer = await client.batch(commands.map(({ label, method, params }) => ({ label, method, params })), { halt: false })
      g?.request.onAccepted()
      const costs = answer.items.flatMap((i) => (i.state !== 'absent' && i.time?.duration !== undefined ? [Math.max(i.time.duration, i.time.processing ?? 0)] : []))
      reservation?.settle(costs, Math.max(0, commands.length - costs.length))
      parseStageReadResults(commands, answer.items, into)
      return
    } catch (err) {
      reservation?.release()
      const info = isBitrixError(err) ? err.info : undefined
      if (info?.code.toUpperCase() === 'QUERY_LIMIT_EXCEEDED') g?.request.onRateLimited()
      const retry = !info || info.kind === 'retry-safe' || info.kind === 'ambiguous'
      if (retry && attempt < 6) {
        await sleep(Math.min(8000, 250 * 2 ** attempt))
        continue
      }
      for (const c of commands) for (const id of c.ids) into.failed.set(id, info ?? { code: 'NETWORK_ERROR', description: String(err), status: 0, kind: 'ambiguous' })
      return
    }
  }
}

export async function previewRun(client: BitrixClient, input: PreviewInput): Promise<RunPreview> {
  // Distinct items per type (a duplicate row is skipped anyway).
  const byType = new Map<number, Set<number>>()
  for (const r of input.rows) {
    let s = byType.get(r.ownerTypeId)
    if (!s) byType.set(r.ownerTypeId, (s = new Set()))
    s.add(r.ownerId)
  }
  let items = 0
  for (const s of byType.values()) items += s.size
  const counts = new Map<string, RunPreview['byStage'][number]>()
  let notFound = 0
  const notFoundSample: number[] = []
  let unreadable = 0
  let failed = 0
  let read = 0
  for (const [ownerTypeId, ids] of byType) {
    if (!canReadStages(ownerTypeId, input.smartProcessTypes?.has(ownerTypeId) ?? ownerTypeId >= 128)) {
      unreadable += ids.size
      continue
    }
    for (const batch of buildStageReadCommands(ownerTypeId, [...ids])) {
      const results: StageReadResults = { stages: new Map(), failed: new Map() }
      await readBatch(client, input.governors, batch, results)
      for (const [id, stageId] of results.stages) {
        if (stageId === undefined) {
          notFound++
          if (notFoundSample.length < NOT_FOUND_SAMPLE) notFoundSample.push(id)
          continue
        }
        const key = `${ownerTypeId}\u0000${stageId}`
        let entry = counts.get(key)
        if (!entry) {
          entry = { ownerTypeId, categoryId: categoryOfStage(stageId), stageId, count: 0 }
          const name = input.stageNames?.get(stageId)
          if (name) entry.stageName = name
          counts.set(key, entry)
        }
        entry.count++
      }
      failed += results.failed.size
      read += batch.reduce((n, c) => n + c.ids.length, 0)
      input.onProgress?.(read, items)
    }
  }
  const byStage = [...counts.values()].sort((a, b) => b.count - a.count || a.stageId.localeCompare(b.stageId))
  return { items, byStage, notFound, notFoundSample, unreadable, failed, estimate: estimateDuration(items, input.rate, input.operating, input.triggerCostSec) }
}
