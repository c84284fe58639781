// Everything the portal holds: users, apps, webhooks, SPA types, items (mapped by type and id),
// app triggers, stage bindings, the execution ledger and counters. Lookups are O(1) so a
// benchmark's thousands of executions never scan the item table.
import type { LedgerEntry, SandboxItem } from './types'
import { FAN_OUT_TYPES, TRIGGER_TYPES, isStaticDefined, suspendedTwinOf } from './ownerTypes'

export interface User {
  id: number
  name: string
  lastName: string
  admin: boolean
  /** false = a user without CRM access (fails the CRM pre-check of the trigger methods). */
  crmAccess: boolean
}

export interface App {
  clientId: string
  clientSecret: string
  redirectUri: string
  name: string
  scopes: ReadonlySet<string>
}

export interface Webhook {
  /** The webhook's own id: the operating-limit key and the ledger caller. */
  id: string
  userId: number
  secret: string
  scopes: ReadonlySet<string>
}

export interface SpaType {
  /** The type record's id (crm.type.list `id`), not the entity type id. */
  id: number
  entityTypeId: number
  title: string
  code: string | null
  automation: boolean
  stages: boolean
}

export interface Binding {
  stageId: string
  allowBackwards: boolean
}

interface TypeStore {
  byId: Map<number, SandboxItem>
  /** Sorted ids for list pages; rebuilt lazily after inserts. */
  sorted: number[] | null
}

export type BindingVia = 'app' | 'webhook'

function bindingKey(via: BindingVia, owner: string, code: string, entityTypeId: number): string {
  return `${via}\u0000${owner}\u0000${code}\u0000${entityTypeId}`
}

/** Stage ids of one pipeline share the part before ":" (DT177_1:NEW, C1:WON); category 0 has none. */
function category(stageId: string): string {
  const i = stageId.indexOf(':')
  return i < 0 ? '' : stageId.slice(0, i)
}

/** A deal no longer in progress: won or lost (the final stages of any pipeline). */
function isFinalStage(stageId: string): boolean {
  return /(^|:)(WON|LOSE|APOLOGY)$/.test(stageId)
}

export class PortalState {
  readonly users = new Map<number, User>()
  readonly apps = new Map<string, App>()
  readonly webhooks: Webhook[] = []
  readonly spaTypes = new Map<number, SpaType>()
  /** clientId -> (code -> name), in registration order. */
  readonly appTriggers = new Map<string, Map<string, string>>()
  readonly triggerCosts = new Map<string, number>()
  readonly ledgerEntries: LedgerEntry[] = []
  readonly counters = { requests: 0, rejected503: 0, rejected429: 0, executes: 0, batches: 0 }

  private readonly items = new Map<number, TypeStore>()
  private readonly pipelines = new Map<number, Map<string, number>>()
  private readonly bindings = new Map<string, Binding[]>()
  /** webhook triggers per entity type (a call without `code` picks among all of them). */
  private readonly webhookBindings = new Map<number, { code: string; binding: Binding }[]>()
  /** `${ownerType}:${ownerId}` of a contact/company -> items linked to it. */
  private readonly links = new Map<string, Set<SandboxItem>>()
  /** When each item was last modified, as a sequence: added or moved later = more recent. */
  private readonly modified = new WeakMap<SandboxItem, number>()
  private modifications = 0

  constructor(readonly defaultTriggerCostMs: number) {}

  // ---- owner types --------------------------------------------------------------------

  /** CCrmOwnerType::IsDefined ([owner]): the static range, every existing SPA and its suspended twin. */
  isDefinedType(entityTypeId: number): boolean {
    if (isStaticDefined(entityTypeId) || this.spaTypes.has(entityTypeId)) return true
    for (const id of this.spaTypes.keys()) if (suspendedTwinOf(id) === entityTypeId) return true
    return false
  }

  /** Whether a trigger on this type can move an item ([base] isSupported + SPA automation/stages).
   * Webhook triggers do not support SPAs at all ([base] webhooktrigger.php areDynamicTypesSupported). */
  isTriggerable(entityTypeId: number, via: BindingVia = 'app'): boolean {
    if (TRIGGER_TYPES.has(entityTypeId)) return true
    if (via === 'webhook') return false
    const spa = this.spaTypes.get(entityTypeId)
    return !!spa && spa.automation && spa.stages
  }

  // ---- pipelines ----------------------------------------------------------------------

  setPipeline(entityTypeId: number, stageIds: string[]): void {
    const order = new Map<string, number>()
    stageIds.forEach((s, i) => order.set(s, i))
    this.pipelines.set(entityTypeId, order)
  }

  /** A type's stage ids in pipeline order, every category's together (crm-structure.ts groups them). */
  pipelineStages(entityTypeId: number): string[] {
    return [...(this.pipelines.get(entityTypeId)?.keys() ?? [])]
  }

  /** Adds stages at the end of a type's pipeline (a new category's), keeping the ones it has. */
  addStages(entityTypeId: number, stageIds: string[]): void {
    for (const s of stageIds) this.stageOrder(entityTypeId, s)
  }

  /** Unknown stages join the end of their type's pipeline. */
  private stageOrder(entityTypeId: number, stageId: string): number {
    let order = this.pipelines.get(entityTypeId)
    if (!order) {
      order = new Map()
      this.pipelines.set(entityTypeId, order)
    }
    let idx = order.get(stageId)
    if (idx === undefined) {
      idx = order.size
      order.set(stageId, idx)
    }
    return idx
  }

  // ---- items --------------------------------------------------------------------------

  private store(entityTypeId: number): TypeStore {
    let s = this.items.get(entityTypeId)
    if (!s) {
      s = { byId: new Map(), sorted: null }
      this.items.set(entityTypeId, s)
    }
    return s
  }

  addItem(input: SandboxItem): void {
    const item: SandboxItem = { ...input }
    const s = this.store(item.entityTypeId)
    const previous = s.byId.get(item.id)
    if (previous) this.unlink(previous)
    else s.sorted = null
    s.byId.set(item.id, item)
    this.modified.set(item, ++this.modifications)
    if (item.stageId) this.stageOrder(item.entityTypeId, item.stageId)
    this.link(item)
  }

  private link(item: SandboxItem): void {
    for (const [type, id] of [[3, item.contactId], [4, item.companyId]] as const) {
      if (!id) continue
      const key = `${type}:${id}`
      let set = this.links.get(key)
      if (!set) this.links.set(key, (set = new Set()))
      set.add(item)
    }
  }

  private unlink(item: SandboxItem): void {
    if (item.contactId) this.links.get(`3:${item.contactId}`)?.delete(item)
    if (item.companyId) this.links.get(`4:${item.companyId}`)?.delete(item)
  }

  getItem(entityTypeId: number, id: number): SandboxItem | undefined {
    return this.items.get(entityTypeId)?.byId.get(id)
  }

  hasItemsOfType(entityTypeId: number): boolean {
    return this.items.has(entityTypeId)
  }

  /** Ids of one type in ascending order. */
  sortedIds(entityTypeId: number): number[] {
    const s = this.items.get(entityTypeId)
    if (!s) return []
    if (!s.sorted) s.sorted = [...s.byId.keys()].sort((a, b) => a - b)
    return s.sorted
  }

  countItems(entityTypeId: number): number {
    return this.items.get(entityTypeId)?.byId.size ?? 0
  }

  itemTypes(): number[] {
    return [...this.items.keys()].sort((a, b) => a - b)
  }

  linkedItems(ownerTypeId: number, ownerId: number): SandboxItem[] {
    const set = this.links.get(`${ownerTypeId}:${ownerId}`)
    return set ? [...set] : []
  }

  // ---- triggers and bindings -----------------------------------------------------------

  appTriggersOf(clientId: string): Map<string, string> {
    let m = this.appTriggers.get(clientId)
    if (!m) this.appTriggers.set(clientId, (m = new Map()))
    return m
  }

  bind(via: BindingVia, owner: string, code: string, entityTypeId: number, binding: Binding): void {
    const key = bindingKey(via, owner, code, entityTypeId)
    const list = this.bindings.get(key) ?? []
    this.bindings.set(key, list)
    this.stageOrder(entityTypeId, binding.stageId)
    const existing = list.find((b) => b.stageId === binding.stageId)
    if (existing) {
      existing.allowBackwards = binding.allowBackwards
      return
    }
    list.push(binding)
    if (via === 'webhook') {
      const all = this.webhookBindings.get(entityTypeId) ?? []
      all.push({ code, binding })
      this.webhookBindings.set(entityTypeId, all)
    }
  }

  bindingsFor(via: BindingVia, owner: string, code: string, entityTypeId: number): Binding[] {
    return this.bindings.get(bindingKey(via, owner, code, entityTypeId)) ?? []
  }

  /** Webhook triggers of a type that apply to a call with this code ([base] webhooktrigger.php
   * checkApplyRules): a trigger with a code only when the call's code equals it; a code-less
   * (legacy) trigger always. So a call without a code applies only code-less triggers. */
  webhookBindingsFor(entityTypeId: number, code: string): Binding[] {
    const all = this.webhookBindings.get(entityTypeId) ?? []
    return all.filter((b) => b.code === '' || b.code === code).map((b) => b.binding)
  }

  /** All bindings, for printing. */
  allBindings(): { via: BindingVia; owner: string; code: string; entityTypeId: number; stageId: string }[] {
    const out: { via: BindingVia; owner: string; code: string; entityTypeId: number; stageId: string }[] = []
    for (const [key, list] of this.bindings) {
      const [via, owner, code, type] = key.split('\u0000')
      for (const b of list) out.push({ via: via as BindingVia, owner: owner ?? '', code: code ?? '', entityTypeId: Number(type), stageId: b.stageId })
    }
    return out
  }

  /**
   * Applies the first candidate binding in pipeline order ([bizproc] getPotentialTriggers, the
   * newest stored revision: `unset($allStatuses[$needleKey])`): the item's current stage is never
   * a candidate, even with allowBackwards (an older revision, commit 822aeaa, and
   * current-cloud.md let it in); later stages qualify; earlier ones only with allowBackwards.
   * Returns whether the item moved.
   */
  applyBindings(item: SandboxItem, candidates: Binding[], via: BindingVia = 'app'): boolean {
    if (candidates.length === 0 || !this.isTriggerable(item.entityTypeId, via)) return false
    const current = this.stageOrder(item.entityTypeId, item.stageId)
    const cat = category(item.stageId)
    let best: { order: number; stageId: string } | undefined
    for (const b of candidates) {
      if (category(b.stageId) !== cat || b.stageId === item.stageId) continue
      const order = this.stageOrder(item.entityTypeId, b.stageId)
      if (order < current && !b.allowBackwards) continue
      if (!best || order < best.order) best = { order, stageId: b.stageId }
    }
    if (!best) return false
    item.stageId = best.stageId
    this.modified.set(item, ++this.modifications)
    return true
  }

  /**
   * The items a trigger on (type, id) acts on: the item itself, or for a contact or company ONE
   * deal, the most recently modified one still in progress ([base] basetrigger.php getDealId,
   * integrity/actualranking.php), plus its other linked items (orders, smart-process items).
   */
  targetsOf(ownerTypeId: number, ownerId: number, via: BindingVia = 'app'): SandboxItem[] {
    if (FAN_OUT_TYPES.has(ownerTypeId)) {
      const linked = this.linkedItems(ownerTypeId, ownerId).filter((i) => this.isTriggerable(i.entityTypeId, via))
      const others = linked.filter((i) => i.entityTypeId !== 2)
      let deal: SandboxItem | undefined
      for (const i of linked) {
        if (i.entityTypeId !== 2 || isFinalStage(i.stageId)) continue
        if (!deal || (this.modified.get(i) ?? 0) > (this.modified.get(deal) ?? 0)) deal = i
      }
      return deal ? [deal, ...others] : others
    }
    const item = this.getItem(ownerTypeId, ownerId)
    return item ? [item] : []
  }

  triggerCost(code: string): number {
    return this.triggerCosts.get(code) ?? this.defaultTriggerCostMs
  }
}
