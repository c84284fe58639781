// Everything one profile can do with triggers, over one REST client: register/list/delete app
// triggers, fire one (app or incoming-webhook kind), read owner types and stages, and tell
// which kind of trigger this profile can run at all (DESIGN.md fact 1).
// Inputs are validated locally first (validation.ts): nothing invalid is ever sent.
import { performance } from 'node:perf_hooks'
import type { ErrorInfo, ProfileKind, RestTime } from '../../shared/domain'
import { SyntheticCode } from '../bitrix/classify'
import { BitrixError } from '../bitrix/errors'
import { plainMessage } from '../bitrix/plain-message'
import type { BitrixClient, CallOptions } from '../bitrix/types'
import { loadOwnerTypes, STATIC_CATALOG, type OwnerTypeCatalog } from './owner-types'
import { readStageDetails, readStages, type RunBatch, type StageReadResults } from './stage-reads'
import {
  hasErrors,
  validateExecute,
  validateNewTrigger,
  validateTriggerCode,
  validateWebhookTrigger,
  type ValidationIssue
} from './validation'

export interface AppTrigger {
  code: string
  name: string
}

export interface PortalUser {
  id: number
  name: string
  isAdmin: boolean
}

export interface ExecuteTiming {
  /** Measured here, request to answer. */
  wallMs: number
  /** The portal's own figures (seconds), when it sent them. */
  /** The portal's `time.start`: whole seconds on current portals (then `duration` is only an upper bound). */
  start?: number
  duration?: number
  processing?: number
  operating?: number
  operatingResetAt?: number
}

/** What was (or would have been) sent: enough for "copy as curl" (see curl.ts). */
export interface SentRequest {
  method: string
  params: Record<string, unknown>
}

export type ExecuteResult =
  | { ok: true; time: ExecuteTiming; warnings: ValidationIssue[]; request: SentRequest }
  | { ok: false; error: ErrorInfo; message: string; issues: ValidationIssue[]; time?: ExecuteTiming; request?: SentRequest }

export type ConnectionReport =
  | {
      ok: true
      user: PortalUser
      isAdmin: boolean
      /** Calls carry an installed app's context (OAuth), which app triggers need. */
      appContext: boolean
      /** Granted scopes, when the token or the `scope` method tells. */
      scopes?: string[]
      canRunAppTriggers: boolean
      canRunWebhookTriggers: boolean
      message: string
    }
  | { ok: false; error: ErrorInfo; message: string }

/** Thrown by add/remove for input that breaks the portal's rules; nothing was sent. */
export class TriggerInputError extends BitrixError {
  constructor(
    readonly issues: ValidationIssue[],
    method: string
  ) {
    super({
      code: SyntheticCode.INVALID_ARGUMENT,
      description: issues.filter((i) => i.severity === 'error').map((i) => i.message).join(' '),
      status: 0,
      kind: 'definite',
      method
    })
    this.name = 'TriggerInputError'
  }
}

export interface TriggerServiceOptions {
  /** Scopes from the OAuth token answer; otherwise checkConnection asks the `scope` method. */
  scopes?: string[]
}

export type TriggerService = ReturnType<typeof createTriggerService>

export function createTriggerService(client: BitrixClient, opts: TriggerServiceOptions = {}) {
  const profileKind: ProfileKind = client.describe().kind
  let catalog: OwnerTypeCatalog | undefined
  const defaultRunBatch: RunBatch = (commands) => client.batch(commands)

  async function fire(method: string, params: Record<string, unknown>, warnings: ValidationIssue[], callOpts?: CallOptions): Promise<ExecuteResult> {
    const request = { method, params }
    const started = performance.now()
    try {
      const response = await client.call<unknown>(method, params, callOpts)
      const time = timing(performance.now() - started, response.time)
      if (response.result !== true) {
        const error: ErrorInfo = {
          code: SyntheticCode.MALFORMED_RESPONSE,
          description: `The portal answered ${JSON.stringify(response.result)} instead of true.`,
          status: response.status,
          kind: 'ambiguous'
        }
        return { ok: false, error, message: error.description, issues: warnings, time, request }
      }
      return { ok: true, time, warnings, request }
    } catch (err) {
      if (!(err instanceof BitrixError)) throw err
      return { ok: false, error: err.info, message: plainMessage(err), issues: warnings, time: timing(performance.now() - started), request }
    }
  }

  async function whoAmI(): Promise<PortalUser> {
    const { result } = await client.call<Record<string, unknown>>('profile', {})
    const id = Number(result?.ID)
    const name = [result?.NAME, result?.LAST_NAME].filter((v) => typeof v === 'string' && v.trim()).join(' ')
    return { id, name: name || `User ${id}`, isAdmin: result?.ADMIN === true || result?.ADMIN === 'Y' }
  }

  async function readScopes(): Promise<string[] | undefined> {
    if (opts.scopes) return opts.scopes
    try {
      const { result } = await client.call<unknown>('scope', {})
      return Array.isArray(result) ? result.map(String) : undefined
    } catch {
      return undefined
    }
  }

  return {
    profileKind,

    async list(): Promise<AppTrigger[]> {
      const { result } = await client.call<Array<{ CODE?: unknown; NAME?: unknown }>>('crm.automation.trigger.list', {})
      return (Array.isArray(result) ? result : []).map((t) => ({ code: String(t.CODE ?? ''), name: String(t.NAME ?? '') }))
    },

    /** Registers (or renames: the portal updates NAME for an existing CODE) an app trigger. */
    async add(code: string, name: string): Promise<{ warnings: ValidationIssue[] }> {
      const issues = validateNewTrigger({ code, name })
      if (hasErrors(issues)) throw new TriggerInputError(issues, 'crm.automation.trigger.add')
      const { result, status } = await client.call('crm.automation.trigger.add', { CODE: code, NAME: name })
      if (result !== true) {
        throw new BitrixError({ code: '', description: 'The portal did not save the trigger (it answered false).', status, method: 'crm.automation.trigger.add', kind: 'definite' })
      }
      return { warnings: issues }
    },

    /** Deletes the registration. The portal keeps the trigger's stage bindings: registering the
     * same code again makes them fire again. */
    async remove(code: string): Promise<void> {
      const issues = validateTriggerCode(code)
      if (hasErrors(issues)) throw new TriggerInputError(issues, 'crm.automation.trigger.delete')
      await client.call('crm.automation.trigger.delete', { CODE: code })
    },

    /** Fires an app trigger on one item (crm.automation.trigger.execute). */
    async execute(input: { code: string; ownerTypeId: number | string; ownerId: number | string }, callOpts?: CallOptions): Promise<ExecuteResult> {
      const checked = validateExecute(input, catalog ?? STATIC_CATALOG)
      if (!checked.params) return rejected(checked.issues)
      return fire('crm.automation.trigger.execute', checked.params, checked.issues, callOpts)
    },

    /** Fires an incoming-webhook trigger made in the automation UI (crm.automation.trigger,
     * target TYPENAME_ID such as DEAL_57). Works with webhooks and apps alike. */
    async fireWebhookTrigger(
      input: { code: string; ownerTypeId?: number | string; typeName?: string; ownerId: number | string },
      callOpts?: CallOptions
    ): Promise<ExecuteResult> {
      const checked = validateWebhookTrigger(
        { code: input.code, ownerType: input.typeName ?? input.ownerTypeId ?? '', ownerId: input.ownerId },
        catalog ?? STATIC_CATALOG
      )
      if (!checked.params) return rejected(checked.issues)
      return fire('crm.automation.trigger', checked.params, checked.issues, callOpts)
    },

    /** The portal's owner types; later validation in this service uses them. */
    async ownerTypes(): Promise<OwnerTypeCatalog> {
      catalog = await loadOwnerTypes(client)
      return catalog
    },

    /** Validates later calls against owner types read earlier (a caller's cache), without asking again. */
    useOwnerTypes(known: OwnerTypeCatalog): void {
      catalog = known
    },

    whoAmI,

    async checkConnection(): Promise<ConnectionReport> {
      let user: PortalUser
      try {
        user = await whoAmI()
      } catch (err) {
        if (!(err instanceof BitrixError)) throw err
        return { ok: false, error: err.info, message: plainMessage(err) }
      }
      const scopes = await readScopes()
      const probe = await probeAppContext()
      if ('error' in probe) return { ok: false, error: probe.error, message: probe.message }
      const crmScope = scopes ? scopes.includes('crm') : probe.crmAccess
      const canRunAppTriggers = probe.appContext && user.isAdmin && probe.crmAccess && crmScope
      const canRunWebhookTriggers = probe.crmAccess && crmScope
      return {
        ok: true,
        user,
        isAdmin: user.isAdmin,
        appContext: probe.appContext,
        ...(scopes ? { scopes } : {}),
        canRunAppTriggers,
        canRunWebhookTriggers,
        message: connectionMessage(user, profileKind, probe.appContext, canRunAppTriggers, canRunWebhookTriggers, crmScope)
      }
    },

    /** Stage of each item, for verification; `runBatch` lets the runner pace the reads. */
    readStages(ownerTypeId: number, ids: readonly number[], runBatch: RunBatch = defaultRunBatch): Promise<Map<number, string | undefined>> {
      return readStages(runBatch, ownerTypeId, ids)
    },

    /** Like readStages, but keeps going past failed reads and reports them per id. */
    readStageDetails(ownerTypeId: number, ids: readonly number[], runBatch: RunBatch = defaultRunBatch): Promise<StageReadResults> {
      return readStageDetails(runBatch, ownerTypeId, ids)
    }
  }

  /** crm.automation.trigger.list answers only in an app's context, after checking CRM access and
   * admin rights (reference §1.1), so its error says which of those is missing. */
  async function probeAppContext(): Promise<{ appContext: boolean; crmAccess: boolean } | { error: ErrorInfo; message: string }> {
    try {
      await client.call('crm.automation.trigger.list', {})
      return { appContext: true, crmAccess: true }
    } catch (err) {
      if (!(err instanceof BitrixError)) throw err
      const code = err.code.toUpperCase()
      const text = err.description
      if (code === 'ACCESS_DENIED' && /application context/i.test(text)) return { appContext: false, crmAccess: true }
      // Admin is checked before app context: a non-admin cannot tell us; the profile kind can.
      if (code === 'ACCESS_DENIED' && /admin/i.test(text)) return { appContext: profileKind === 'oauth', crmAccess: true }
      if (code === '' && /^access denied\.?$/i.test(text.trim())) return { appContext: profileKind === 'oauth', crmAccess: false }
      if (code === 'INSUFFICIENT_SCOPE') return { appContext: profileKind === 'oauth', crmAccess: false }
      return { error: err.info, message: plainMessage(err) }
    }
  }
}

function rejected(issues: ValidationIssue[]): ExecuteResult {
  const description = issues.filter((i) => i.severity === 'error').map((i) => i.message).join(' ')
  return {
    ok: false,
    error: { code: SyntheticCode.INVALID_ARGUMENT, description, status: 0, kind: 'definite' },
    message: description,
    issues
  }
}

function timing(wallMs: number, time?: RestTime): ExecuteTiming {
  const out: ExecuteTiming = { wallMs: Math.round(wallMs) }
  if (time?.start !== undefined) out.start = time.start
  if (time?.duration !== undefined) out.duration = time.duration
  if (time?.processing !== undefined) out.processing = time.processing
  if (time?.operating !== undefined) out.operating = time.operating
  if (time?.operating_reset_at !== undefined) out.operatingResetAt = time.operating_reset_at
  return out
}

function connectionMessage(
  user: PortalUser,
  kind: ProfileKind,
  appContext: boolean,
  app: boolean,
  webhook: boolean,
  crmScope: boolean
): string {
  const who = `Connected as ${user.name}${user.isAdmin ? ' (administrator)' : ''}.`
  if (!crmScope) return `${who} This ${kind === 'webhook' ? 'webhook' : 'app'} has no access to the CRM (scope "crm"), so it can run no triggers.`
  if (app) return `${who} This profile can run app triggers and incoming-webhook triggers.`
  const reasons: string[] = []
  if (!appContext) reasons.push('app triggers need a profile signed in through the local app (OAuth); a webhook cannot run them')
  else if (!user.isAdmin) reasons.push('app triggers need a portal administrator')
  const head = webhook ? `${who} This profile can run incoming-webhook triggers, but not app triggers` : `${who} This profile cannot run triggers`
  return reasons.length ? `${head}: ${reasons.join('; ')}.` : `${head}.`
}
