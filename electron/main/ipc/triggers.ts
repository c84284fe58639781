// triggers.*: app-trigger registrations, owner types, and firing one trigger by hand (core's
// runOneTrigger, as the CLI uses it, with its optional before/after stage read).
import type { RestTime } from '../../shared/domain'
import type { RunOneResult } from '../../shared/ipc'
import { triggerMethod } from '../../core/runs/commands'
import { toCurl } from '../../core/triggers/curl'
import { runOneTrigger } from '../../core/triggers/run-one'
import type { ExecuteTiming } from '../../core/triggers/trigger-service'
import { validateExecute, validateWebhookTrigger } from '../../core/triggers/validation'
import type { CoreContext } from './context'
import { IpcRefusal } from './errors'
import type { HandlerMap } from './types'

type TriggerChannels = 'triggers.list' | 'triggers.add' | 'triggers.remove' | 'triggers.ownerTypes' | 'triggers.runOne' | 'triggers.curl'

function restTime(t: ExecuteTiming): RestTime {
  const time: RestTime = {}
  if (t.start !== undefined) time.start = t.start
  if (t.duration !== undefined) time.duration = t.duration
  if (t.processing !== undefined) time.processing = t.processing
  if (t.operating !== undefined) time.operating = t.operating
  if (t.operatingResetAt !== undefined) time.operating_reset_at = t.operatingResetAt
  return time
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
      // Validation judges the type by the portal's own list (smart processes included).
      await ctx.ownerTypes(req.profileId)
      const done = await runOneTrigger(await ctx.triggersFor(req.profileId), req)
      const answer: RunOneResult = { outcome: done.outcome, elapsedMs: done.timing?.wallMs ?? 0, warnings: done.warnings }
      if (done.timing) answer.time = restTime(done.timing)
      if (done.error) {
        answer.error = { code: done.error.code, message: done.message ?? done.error.description, kind: done.error.kind }
        if (done.error.description) answer.error.portalText = done.error.description
      }
      if (done.verification) answer.verification = done.verification
      return answer
    },

    async 'triggers.curl'(req) {
      const profile = await ctx.profiles.get(req.profileId)
      const input = { code: req.code, ownerTypeId: req.ownerTypeId, ownerType: req.ownerTypeId, ownerId: req.ownerId }
      const checked = req.kind === 'app' ? validateExecute(input) : validateWebhookTrigger(input)
      if (!checked.params) {
        throw new IpcRefusal('VALIDATION', checked.issues.filter((i) => i.severity === 'error').map((i) => i.message).join(' '))
      }
      return toCurl(profile.kind, profile.portalUrl, triggerMethod(req.kind), checked.params, profile.userId ? { userId: profile.userId } : {})
    }
  }
}
