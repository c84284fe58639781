// One trigger on one item, with optional verification: the item's stage is read before and
// after, since `result: true` does not mean anything moved (DESIGN.md fact 2).
import type { ErrorInfo, Outcome, TriggerKind, Verification } from '../shared/domain'
import type { ExecuteResult, TriggerService } from '../core/triggers/trigger-service'
import { EXIT, type ExitCode } from './exit-codes'

export interface OneItemRequest {
  kind: TriggerKind
  code: string
  ownerTypeId: number
  ownerId: number
  verify: boolean
}

export interface OneItemResult {
  outcome: Outcome
  /** Plain words for the outcome when it is not a success. */
  message?: string
  error?: ErrorInfo
  elapsedMs?: number
  verification?: Verification
  /** Validation warnings (e.g. a contact fans out to its deals) and blocking issues. */
  notes: string[]
}

export async function runOneItem(service: TriggerService, req: OneItemRequest): Promise<OneItemResult> {
  const before = req.verify ? await stageOf(service, req) : undefined
  const input = { code: req.code, ownerTypeId: req.ownerTypeId, ownerId: req.ownerId }
  const result: ExecuteResult = req.kind === 'app' ? await service.execute(input) : await service.fireWebhookTrigger(input)
  if (!result.ok) {
    const sent = result.request !== undefined
    return {
      // Nothing invalid is ever sent: a local rejection is a skipped row, not a failure.
      outcome: !sent ? 'skipped' : result.error.kind === 'ambiguous' ? 'uncertain' : 'failed',
      message: result.message,
      error: result.error,
      ...(result.time ? { elapsedMs: result.time.wallMs } : {}),
      notes: result.issues.map((i) => i.message)
    }
  }
  const out: OneItemResult = { outcome: 'succeeded', elapsedMs: result.time.wallMs, notes: result.warnings.map((w) => w.message) }
  if (req.verify) out.verification = verification(before, await stageOf(service, req))
  return out
}

async function stageOf(service: TriggerService, req: OneItemRequest): Promise<string | undefined> {
  return (await service.readStages(req.ownerTypeId, [req.ownerId])).get(req.ownerId)
}

function verification(before: string | undefined, after: string | undefined): Verification {
  if (after === undefined) return { state: 'not-found' }
  if (before !== undefined && before !== after) return { state: 'moved', from: before, to: after }
  return { state: 'unchanged', stage: after }
}

export function exitCodeForOneItem(result: OneItemResult): ExitCode {
  if (result.outcome === 'succeeded') return EXIT.ok
  if (result.outcome === 'skipped') return EXIT.usage
  return result.error?.kind === 'run-fatal' ? EXIT.runFatal : EXIT.rowsFailed
}
