// crm.automation.trigger.{add,list,delete,execute} (app triggers, reference §1.1-1.5) and
// crm.automation.trigger (incoming-webhook triggers, §1.6), with the [src] order of checks.
import { errors } from '../envelope'
import type { MethodResult } from '../envelope'
import { callerId } from '../auth'
import { phpEmpty, phpInt, str, upperKeys } from '../params'
import type { Params } from '../params'
import { resolveOwnerTypeName } from '../ownerTypes'
import type { Binding, BindingVia } from '../state'
import type { MethodContext, MethodDef } from './types'

const CODE_RE = /^[a-z0-9.\-_]+$/i

/** Checks 1-3 of §1.1: CRM access, admin, application context. Returns the app's client_id. */
function appContext(ctx: MethodContext): string {
  const { user } = ctx.caller
  if (!user.crmAccess) throw errors.plain('Access denied.')
  if (!user.admin) throw errors.accessDenied('Admin permissions required')
  if (ctx.caller.kind !== 'oauth') throw errors.accessDenied('Application context required')
  return ctx.caller.clientId
}

/** `params` already upper-cased (proxy.php: array_change_key_case). */
function readCode(params: Params): string {
  const raw = params.CODE
  if (phpEmpty(raw) || phpEmpty(str(raw))) throw errors.plain('Empty trigger code!')
  const code = str(raw)
  if (!CODE_RE.test(code)) throw errors.plain('Wrong trigger code!')
  return code
}

/**
 * Runs a trigger for real: records it in the ledger, moves the targets that have a matching
 * binding, and spends the trigger's processing time inside the request (reference §7).
 */
async function fire(
  ctx: MethodContext,
  via: BindingVia,
  code: string,
  ownerTypeId: number,
  ownerId: number,
  candidatesFor: (entityTypeId: number) => Binding[]
): Promise<void> {
  const { state } = ctx
  state.counters.executes++
  state.ledgerEntries.push({ via, code, ownerTypeId, ownerId, at: ctx.now(), caller: callerId(ctx.caller) })
  for (const item of state.targetsOf(ownerTypeId, ownerId, via)) state.applyBindings(item, candidatesFor(item.entityTypeId), via)
  const cost = state.triggerCost(code)
  if (cost > 0) await ctx.sleep(cost)
}

const add: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx, params): MethodResult {
    const clientId = appContext(ctx)
    const upper = upperKeys(params)
    const code = readCode(upper)
    const name = upper.NAME
    if (phpEmpty(name) || phpEmpty(str(name))) throw errors.plain('Empty trigger name!')
    ctx.state.appTriggersOf(clientId).set(code, str(name))
    return { result: true }
  }
}

const list: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx): MethodResult {
    const clientId = appContext(ctx)
    // The whole list in one answer: start/filter/order are ignored, no next/total ([doc-later]).
    const result = [...ctx.state.appTriggersOf(clientId)].map(([code, name]) => ({ NAME: name, CODE: code }))
    return { result }
  }
}

const del: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx, params): MethodResult {
    const clientId = appContext(ctx)
    const code = readCode(upperKeys(params))
    // Bindings stay: re-adding the code makes them fire again ([doc-later] warning).
    if (!ctx.state.appTriggersOf(clientId).delete(code)) throw errors.plain('Trigger not found')
    return { result: true }
  }
}

const execute: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  async handler(ctx, params): Promise<MethodResult> {
    const clientId = appContext(ctx)
    // [proxy] array_change_key_case: any key case works, and of CODE and code the later one wins.
    const upper = upperKeys(params)
    const code = readCode(upper)
    if (!ctx.state.appTriggersOf(clientId).has(code)) throw errors.plain(`Trigger with code ${code} is not registered.`)
    // [proxy] (int) casts, PHP's way: "6abc" is 6, "0.9876543e9" is 987654300.
    const ownerTypeId = phpInt(upper.OWNER_TYPE_ID)
    if (!ctx.state.isDefinedType(ownerTypeId)) throw errors.plain('Incorrect parameter OWNER_TYPE_ID.')
    const ownerId = phpInt(upper.OWNER_ID)
    if (ownerId <= 0) throw errors.plain('Incorrect parameter OWNER_ID.')
    // true whether or not anything moved (§1.5): unknown item, no binding, unsupported type.
    await fire(ctx, 'app', code, ownerTypeId, ownerId, (type) => ctx.state.bindingsFor('app', clientId, code, type))
    return { result: true }
  }
}

/**
 * The sandbox's permission rule for "modify the target object": admins may update anything;
 * other CRM users only existing items assigned to them (assignedById, default 1 = the admin).
 */
function mayUpdate(ctx: MethodContext, entityTypeId: number, id: number): boolean {
  const { user } = ctx.caller
  if (user.admin) return true
  const item = ctx.state.getItem(entityTypeId, id)
  return !!item && (item.assignedById ?? 1) === user.id
}

const webhookTrigger: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  async handler(ctx, params): Promise<MethodResult> {
    if (!ctx.caller.user.crmAccess) throw errors.plain('Access denied.')
    // [proxy] executeWebHookTrigger: the keys are read as written (`target`, `code`), the target is
    // split on its LAST "_" (mb_split('_(?=[^_]*$)') since 2022), the left part goes to ResolveID.
    const rawTarget = params.target
    if (rawTarget === undefined || rawTarget === null) throw errors.plain('Target is not set.')
    const target = str(rawTarget)
    const cut = target.lastIndexOf('_')
    if (cut < 0) throw errors.plain('Incorrect target format.')
    const ownerTypeId = resolveOwnerTypeName(target.slice(0, cut))
    const ownerId = phpInt(target.slice(cut + 1))
    if (!ownerTypeId || !ownerId) throw errors.plain('Target is not found.')
    // The source's words ("There is no"); the English docs say "There are".
    if (!mayUpdate(ctx, ownerTypeId, ownerId)) throw errors.accessDenied('There is no permissions to update the entity.')
    const code = params.code === undefined || params.code === null ? '' : str(params.code)
    await fire(ctx, 'webhook', code, ownerTypeId, ownerId, (type) => ctx.state.webhookBindingsFor(type, code))
    return { result: true }
  }
}

export const triggerMethods: Record<string, MethodDef> = {
  'crm.automation.trigger.add': add,
  'crm.automation.trigger.list': list,
  'crm.automation.trigger.delete': del,
  'crm.automation.trigger.execute': execute,
  'crm.automation.trigger': webhookTrigger
}
