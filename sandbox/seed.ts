// What the portal holds at start: three users, two installed apps, three incoming webhooks, the
// pipelines and SPA types, and (unless seedData is false) a small demo CRM with triggers.
import { randomBytes } from 'node:crypto'
import type { PortalState } from './state'
import { addCategory } from './crm-structure'
import type { SandboxItem } from './types'

export const WEBHOOK_IDS = { admin: '101', user: '102', noCrm: '103' } as const

/** Seeded trigger codes, printed by the CLI and used by tests. */
export const SEED_TRIGGERS = {
  dealWon: 'deal_won',
  leadHot: 'lead_hot',
  spaDone: 'spa_done',
  webhookPrep: 'wh_prep'
} as const

const hex = (bytes: number): string => randomBytes(bytes).toString('hex')

export function seedIdentities(state: PortalState, origin: string, redirectUri: string | undefined): void {
  state.users.set(1, { id: 1, name: 'Sandbox', lastName: 'Admin', admin: true, crmAccess: true })
  state.users.set(2, { id: 2, name: 'Ivan', lastName: 'Manager', admin: false, crmAccess: true })
  state.users.set(3, { id: 3, name: 'Olga', lastName: 'Extranet', admin: false, crmAccess: false })

  const crm = new Set(['crm'])
  for (const [name, path, custom] of [
    ['Trigger Runner (sandbox)', '/local-app/handler', redirectUri],
    ['Other app', '/other-app/handler', undefined]
  ] as const) {
    const clientId = `local.${hex(12)}`
    state.apps.set(clientId, { clientId, clientSecret: hex(24), redirectUri: custom ?? `${origin}${path}`, name, scopes: crm })
  }

  state.webhooks.push(
    { id: WEBHOOK_IDS.admin, userId: 1, secret: hex(8), scopes: crm },
    { id: WEBHOOK_IDS.user, userId: 2, secret: hex(8), scopes: crm },
    // Same admin user, created without the crm scope.
    { id: WEBHOOK_IDS.noCrm, userId: 1, secret: hex(8), scopes: new Set(['user']) }
  )
}

export function seedStructure(state: PortalState): void {
  state.setPipeline(1, ['NEW', 'IN_PROCESS', 'PROCESSED', 'CONVERTED', 'JUNK'])
  state.setPipeline(2, ['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE'])
  state.setPipeline(7, ['DRAFT', 'SENT', 'RECEIVED', 'APPROVED', 'DECLAINED'])
  state.setPipeline(31, ['DT31_1:N', 'DT31_1:S', 'DT31_1:P', 'DT31_1:D'])
  state.setPipeline(177, ['DT177_1:NEW', 'DT177_1:PREPARATION', 'DT177_1:CLIENT', 'DT177_1:SUCCESS', 'DT177_1:FAIL'])
  state.setPipeline(156, ['DT156_3:NEW', 'DT156_3:SUCCESS', 'DT156_3:FAIL'])
  // A second deal pipeline, "Wholesale" (category 3), for choosing items by pipeline and stage.
  addCategory(state, 2, {
    id: 3,
    name: 'Wholesale',
    stages: [
      { id: 'C3:NEW', name: 'New order' },
      { id: 'C3:PREPARATION', name: 'Negotiation' },
      { id: 'C3:WON', name: 'Shipped' },
      { id: 'C3:LOSE', name: 'Lost' }
    ]
  })
  state.spaTypes.set(177, { id: 1, entityTypeId: 177, title: 'Projects', code: null, automation: true, stages: true })
  state.spaTypes.set(156, { id: 2, entityTypeId: 156, title: 'Contracts', code: null, automation: false, stages: true })
}

function range(entityTypeId: number, from: number, to: number, make: (id: number) => Omit<SandboxItem, 'entityTypeId' | 'id'>): SandboxItem[] {
  const out: SandboxItem[] = []
  for (let id = from; id <= to; id++) out.push({ entityTypeId, id, ...make(id) })
  return out
}

export function seedDemo(state: PortalState, appClientId: string): void {
  const items: SandboxItem[] = [
    ...range(3, 1, 3, (id) => ({ title: `Contact ${id}`, stageId: '' })),
    ...range(4, 1, 2, (id) => ({ title: `Company ${id}`, stageId: '' })),
    ...range(1, 1, 10, (id) => ({ title: `Lead ${id}`, stageId: id <= 6 ? 'NEW' : id <= 8 ? 'IN_PROCESS' : 'CONVERTED' })),
    ...range(2, 1, 10, (id) => ({
      title: `Deal ${id}`,
      stageId: id <= 6 ? 'NEW' : id <= 8 ? 'PREPARATION' : 'WON',
      categoryId: 0,
      // Deals 1-3 belong to contact 1, 4-5 to contact 2; deals 1 and 4 also to company 1.
      ...(id <= 3 ? { contactId: 1 } : id <= 5 ? { contactId: 2 } : {}),
      ...(id === 1 || id === 4 ? { companyId: 1 } : {}),
      // Deal 10 is the non-admin user's own (the one crm.automation.trigger lets them update).
      ...(id === 10 ? { assignedById: 2 } : {}),
      // Deals 8 and 9 are closed to other users: the non-admin user cannot read them.
      ...(id === 8 || id === 9 ? { opened: false } : {})
    })),
    { entityTypeId: 7, id: 1, title: 'Quote 1', stageId: 'DRAFT' },
    ...range(31, 1, 3, (id) => ({ title: `Invoice ${id}`, stageId: 'DT31_1:N', categoryId: 1 })),
    ...range(177, 1, 5, (id) => ({ title: `Project ${id}`, stageId: 'DT177_1:NEW', categoryId: 1 })),
    ...range(156, 1, 2, (id) => ({ title: `Contract ${id}`, stageId: 'DT156_3:NEW', categoryId: 3 }))
  ]
  for (const item of items) state.addItem(item)

  const triggers = state.appTriggersOf(appClientId)
  triggers.set(SEED_TRIGGERS.dealWon, 'Deal won')
  triggers.set(SEED_TRIGGERS.leadHot, 'Lead is hot')
  triggers.set(SEED_TRIGGERS.spaDone, 'Project done')
  state.bind('app', appClientId, SEED_TRIGGERS.dealWon, 2, { stageId: 'WON', allowBackwards: false })
  state.bind('app', appClientId, SEED_TRIGGERS.leadHot, 1, { stageId: 'IN_PROCESS', allowBackwards: false })
  state.bind('app', appClientId, SEED_TRIGGERS.spaDone, 177, { stageId: 'DT177_1:SUCCESS', allowBackwards: false })
  // Bound on the SPA whose automation is off: executing it there must move nothing.
  state.bind('app', appClientId, SEED_TRIGGERS.spaDone, 156, { stageId: 'DT156_3:SUCCESS', allowBackwards: false })
  state.bind('webhook', '', SEED_TRIGGERS.webhookPrep, 2, { stageId: 'PREPARATION', allowBackwards: false })
}
