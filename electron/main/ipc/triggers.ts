// triggers.*: app-trigger registrations, owner types, and firing one trigger by hand (with the
// optional before/after stage read that tells whether the item really moved, DESIGN.md fact 2).
import type { Outcome, RestTime, Verification } from '../../shared/domain'
import type { RunOneRequest, RunOneResult } from '../../shared/ipc'
import { toCurl } from '../../core/triggers/curl'
import { isPossibleSpaId } from '../../core/triggers/owner-types'
import { canReadStages } from '../../core/triggers/stage-reads'
import type { ExecuteResult, ExecuteTiming, TriggerService } from '../../core/triggers/trigger-service'
import { validateExecute, validateWebhookTrigger } from '../../core/triggers/validation'
import type { CoreContext } from './context'
import { IpcRefusal } from './errors'
import type { HandlerMap } from './types'

type TriggerChannels = 'triggers.list' | 'triggers.add' | 'triggers.remove' | 'triggers.ownerTypes' | 'triggers.runOne' | 'triggers.curl'

function restTime(t: ExecuteTiming | undefined): RestTime | undefined {
  if (!t) return undefined
  const time: RestTime = {}
  if (t.duration !== undefined) time.duration = t.duration
  if (t.processing !== undefined) time.processing = t.processing
  if (t.operating !== undefined) time.operating = t.operating
  if (t.operatingResetAt !== undefined) time.operating_reset_at = t.operatingResetAt
  return time
}

function outcomeOf(result: ExecuteResult): Outcome {
  if (result.ok) return 'succeeded'
  // Rejected locally: nothing was sent (the skip reason is in the error).
  if (!result.request) return 'skipped'
  return result.error.kind === 'ambiguous' ? 'uncertain' : 'failed'
}

/** The stage of one item, or undefined when it cannot be read (type without stages, read failed). */
async function stageOf(service: TriggerService, req: RunOneRequest): Promise<{ stage?: string; exists: boolean } | undefined> {
  if (!canReadStages(req.ownerTypeId, isPossibleSpaId(req.ownerTypeId))) return undefined
  try {
    const read = await service.readStageDetails(req.ownerTypeId, [req.ownerId])
    if (read.failed.has(req.ownerId)) return undefined
    const stage = read.stages.get(req.ownerId)
    return stage === undefined ? { exists: false } : { stage, exists: true }
  } catch {
    return undefined
  }
}

function verification(before: { stage?: string; exists: boolean }, after: { stage?: string; exists: boolean }): Verification {
  if (!before.exists || !after.exists) return { state: 'not-found' }
  if (before.stage === after.stage) return { state: 'unchanged', stage: after.stage ?? '' }
  return { state: 'moved', from: before.stage ?? '', to: after.stage ?? '' }
}

export function triggerHandlers(ctx: CoreContext): HandlerMap<TriggerChannels> {
  return {
    'triggers.list': async (profileId) => (await ctx.triggersFor(profileId)).list(),
    async 'triggers.add'(profileId, trigger) {
      const service = await ctx.triggersFor(profileId)
      await service.add(trigger.code, trigger.name)
      return service.list()
    },
    async 'triggers.remove'(profileId, code) {
      const service = await ctx.triggersFor(profileId)
      await service.remove(code)
      return service.list()
    },
    'triggers.ownerTypes': async (profileId) => (await ctx.ownerTypes(profileId, true)).types,

    async 'triggers.runOne'(req): Promise<RunOneResult> {
      const service = await ctx.triggersFor(req.profileId)
      const before = req.verify ? await stageOf(service, req) : undefined
      const input = { code: req.code, ownerTypeId: req.ownerTypeId, ownerId: req.ownerId }
      const result = req.kind === 'app' ? await service.execute(input) : await service.fireWebhookTrigger(input)
      const warnings = (result.ok ? result.warnings : result.issues).filter((i) => i.severity === 'warning').map((i) => i.message)
      const answer: RunOneResult = { outcome: outcomeOf(result), elapsedMs: result.time?.wallMs ?? 0, warnings }
      const time = restTime(result.time)
      if (time) answer.time = time
      if (!result.ok) {
        answer.error = { code: result.error.code, message: result.message, kind: result.error.kind }
        if (result.error.description) answer.error.portalText = result.error.description
      }
      if (req.verify && result.ok) {
        const after = await stageOf(service, req)
        if (before && after) answer.verification = verification(before, after)
        else answer.warnings.push('The stage could not be read before and after, so the move was not verified.')
      }
      return answer
    },

    async 'triggers.curl'(req) {
      const profile = await ctx.profiles.get(req.profileId)
      const input = { code: req.code, ownerTypeId: req.ownerTypeId, ownerType: req.ownerTypeId, ownerId: req.ownerId }
      const checked = req.kind === 'app' ? validateExecute(input) : validateWebhookTrigger(input)
      if (!checked.params) {
        throw new IpcRefusal('VALIDATION', checked.issues.filter((i) => i.severity === 'error').map((i) => i.message).join(' '))
      }
      const method = req.kind === 'app' ? 'crm.automation.trigger.execute' : 'crm.automation.trigger'
      return toCurl(profile.kind, profile.portalUrl, method, checked.params, profile.userId ? { userId: profile.userId } : {})
    }
  }
}
