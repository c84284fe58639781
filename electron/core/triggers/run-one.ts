// One trigger on one item, by hand: an app trigger (crm.automation.trigger.execute) or an
// incoming-webhook trigger (crm.automation.trigger), with the optional stage read before and
// after that tells whether the item really moved (`result: true` does not say so, DESIGN.md
// fact 2). The desktop app and the CLI both fire through here.
import type { ErrorInfo, Outcome, TriggerKind, Verification } from '../../shared/domain'
import { isPossibleSpaId } from './owner-types'
import { canReadStages } from './stage-reads'
import type { ExecuteResult, ExecuteTiming, TriggerService } from './trigger-service'

export interface RunOneInput {
  kind: TriggerKind
  code: string
  ownerTypeId: number
  ownerId: number
  verify: boolean
}

export interface RunOneOutcome {
  /** 'skipped' when local validation refused the input: nothing was sent. */
  outcome: Outcome
  /** Plain words when it did not succeed (for 'skipped': what is wrong with the input). */
  message?: string
  error?: ErrorInfo
  /** Wall time measured here and the portal's own figures, when a request was made. */
  timing?: ExecuteTiming
  verification?: Verification
  /** Validation warnings (a contact fans out to its deals...) and why a move was not verified. */
  warnings: string[]
}

export const NOT_VERIFIED = 'The stage could not be read before and after, so the move was not verified.'

export async function runOneTrigger(service: TriggerService, input: RunOneInput): Promise<RunOneOutcome> {
  const before = input.verify ? await stageOf(service, input) : undefined
  const target = { code: input.code, ownerTypeId: input.ownerTypeId, ownerId: input.ownerId }
  const result = input.kind === 'app' ? await service.execute(target) : await service.fireWebhookTrigger(target)
  const out: RunOneOutcome = {
    outcome: outcomeOf(result),
    warnings: (result.ok ? result.warnings : result.issues).filter((i) => i.severity === 'warning').map((i) => i.message)
  }
  if (result.time) out.timing = result.time
  if (!result.ok) {
    out.message = result.message
    out.error = result.error
    return out
  }
  if (input.verify) {
    const after = await stageOf(service, input)
    if (before && after) out.verification = verification(before, after)
    else out.warnings.push(NOT_VERIFIED)
  }
  return out
}

function outcomeOf(result: ExecuteResult): Outcome {
  if (result.ok) return 'succeeded'
  // Rejected locally: nothing was sent.
  if (!result.request) return 'skipped'
  return result.error.kind === 'ambiguous' ? 'uncertain' : 'failed'
}

interface Stage {
  exists: boolean
  stage?: string
}

/** The stage of one item, or undefined when it cannot be read (a type without stages, a failed read). */
async function stageOf(service: TriggerService, input: RunOneInput): Promise<Stage | undefined> {
  if (!canReadStages(input.ownerTypeId, isPossibleSpaId(input.ownerTypeId))) return undefined
  try {
    const read = await service.readStageDetails(input.ownerTypeId, [input.ownerId])
    if (read.failed.has(input.ownerId)) return undefined
    const stage = read.stages.get(input.ownerId)
    return stage === undefined ? { exists: false } : { exists: true, stage }
  } catch {
    return undefined
  }
}

function verification(before: Stage, after: Stage): Verification {
  if (!before.exists || !after.exists) return { state: 'not-found' }
  if (before.stage === after.stage) return { state: 'unchanged', stage: after.stage ?? '' }
  return { state: 'moved', from: before.stage ?? '', to: after.stage ?? '' }
}
