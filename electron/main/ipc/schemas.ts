// One zod schema per IPC channel: the tuple of arguments the renderer may send. The renderer is
// treated as untrusted (a compromised page must not be able to feed core anything it would not
// get from the UI), so objects are strict, strings and files are bounded, and numbers are
// integers. Domain rules (trigger-code syntax, owner-id range, URL policy) stay in core, which
// explains them in words an admin understands; these schemas only guard types and sizes.
import { z } from 'zod'
import type { ApiHandlers, ApiMethod } from '../../shared/ipc'
import { CUSTOM_LIMITS, type NumberRange } from '../../shared/run-limits'

const MAX_TEXT = 200
const MAX_URL = 2048
/** A CSV of thousands of IDs is well under this; anything larger is not a trigger list. */
const rerunInclude = z.enum(['failed', 'failed+uncertain', 'unchanged', 'not-run'])
const rerunOptions = z.strictObject({ includeMoved: z.boolean().optional() })

export const MAX_CSV_BYTES = 50 * 1024 * 1024

const id = z.string().min(1).max(MAX_TEXT)
const name = z.string().trim().min(1).max(MAX_TEXT)
const secret = z.string().min(1).max(4096)
const url = z.string().trim().min(1).max(MAX_URL)
const plan = z.enum(['standard', 'enterprise', 'custom'])
const kind = z.enum(['app', 'webhook'])
const triggerCode = z.string().trim().min(1).max(MAX_TEXT)
const int = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)
const positiveInt = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)
const columnIndex = z.number().int().min(0).max(10_000)
const outcome = z.enum(['succeeded', 'failed', 'uncertain', 'skipped', 'not-run'])

const csvSource = z.union([
  z.strictObject({ path: z.string().min(1).max(4096) }),
  z.strictObject({ name, bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_CSV_BYTES, 'file too large') }),
  z.strictObject({ name, text: z.string().max(MAX_CSV_BYTES), pasted: z.literal(true) })
])

const csvMapping = z.strictObject({
  idColumn: columnIndex,
  ownerTypeColumn: columnIndex.optional(),
  codeColumn: columnIndex.optional(),
  hasHeader: z.boolean(),
  delimiter: z.string().min(1).max(4).optional(),
  sheet: z.string().min(1).max(MAX_TEXT).optional(),
  headerRow: z.number().int().min(0).max(1_048_576).optional()
})

const csvInspectOptions = z.strictObject({
  sheet: z.string().min(1).max(MAX_TEXT).optional(),
  headerRow: z.number().int().min(0).max(1_048_576).optional()
})

/** A custom pace value: the same range the renderer's fields enforce (electron/shared/run-limits). */
function limit(range: NumberRange): z.ZodNumber {
  const n = z.number().min(range.min).max(range.max)
  return range.integer ? n.int() : n
}

const runOptions = z.strictObject({
  verify: z.boolean(),
  plan,
  rate: z.strictObject({ burst: limit(CUSTOM_LIMITS.burst), drainPerSec: limit(CUSTOM_LIMITS.drainPerSec) }).optional(),
  operating: z.strictObject({ limitSec: limit(CUSTOM_LIMITS.limitSec), windowSec: limit(CUSTOM_LIMITS.windowSec) }).optional(),
  maxAttempts: z.number().int().min(1).max(20).optional()
})

const createRun = z.strictObject({
  profileId: id,
  kind,
  code: triggerCode.optional(),
  ownerTypeId: positiveInt.optional(),
  source: csvSource,
  mapping: csvMapping,
  options: runOptions
})

const dayText = z.string().trim().max(10).optional()
const crmSelection = z.strictObject({
  entityTypeId: positiveInt,
  categoryId: z.number().int().min(0).max(1_000_000).optional(),
  stageIds: z.array(z.string().min(1).max(MAX_TEXT)).max(200).optional(),
  createdFrom: dayText,
  createdTo: dayText,
  updatedFrom: dayText,
  updatedTo: dayText,
  assignedByIds: z.array(positiveInt).max(200).optional(),
  rawFilter: z.string().max(10_000).optional()
})
const createCrmRun = z.strictObject({ profileId: id, kind, code: triggerCode, selection: crmSelection, options: runOptions })
const previewRequest = z.union([
  z.strictObject({ file: createRun }),
  z.strictObject({ crm: z.strictObject({ profileId: id, kind, code: triggerCode.optional(), selection: crmSelection, options: runOptions }) })
])

const runOne = z.strictObject({
  profileId: id,
  kind,
  code: triggerCode,
  ownerTypeId: int,
  ownerId: int,
  verify: z.boolean()
})

const none = z.tuple([])

/** Argument tuples, keyed by channel; `satisfies` ties each one to the contract's parameter types. */
export const argsSchemas = {
  'app.info': none,
  'profiles.list': none,
  'profiles.addWebhook': z.tuple([z.strictObject({ name, webhookUrl: url, plan })]),
  'profiles.addOAuth': z.tuple([
    z.strictObject({
      name,
      portalUrl: url,
      clientId: z.string().trim().min(1).max(MAX_TEXT),
      clientSecret: secret,
      plan,
      accessToken: secret.optional(),
      refreshToken: secret.optional()
    })
  ]),
  'profiles.signIn': z.tuple([id]),
  'profiles.update': z.tuple([
    z.strictObject({
      id,
      name: name.optional(),
      plan: plan.optional(),
      webhookUrl: url.optional(),
      clientSecret: secret.optional(),
      portalUrl: url.optional(),
      clientId: z.string().trim().min(1).max(MAX_TEXT).optional()
    })
  ]),
  'profiles.remove': z.tuple([id]),
  'profiles.test': z.tuple([id]),
  'triggers.list': z.tuple([id]),
  'triggers.add': z.tuple([id, z.strictObject({ code: triggerCode, name })]),
  'triggers.remove': z.tuple([id, triggerCode]),
  'triggers.ownerTypes': z.tuple([id]),
  'triggers.runOne': z.tuple([runOne]),
  'triggers.curl': z.tuple([runOne]),
  'csv.open': none,
  'csv.inspect': z.union([z.tuple([csvSource]), z.tuple([csvSource, csvInspectOptions])]),
  'csv.validate': z.tuple([createRun]),
  'runs.create': z.tuple([createRun]),
  'runs.start': z.tuple([id]),
  'runs.pause': z.tuple([id]),
  'runs.resume': z.tuple([id]),
  'runs.cancel': z.tuple([id]),
  'runs.list': none,
  'runs.get': z.tuple([id]),
  'runs.rows': z.tuple([
    z.strictObject({
      runId: id,
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      limit: z.number().int().min(1).max(5000),
      outcome: z.union([outcome, z.literal('pending')]).optional(),
      search: z.string().max(MAX_TEXT).optional()
    })
  ]),
  'runs.rerun': z.tuple([id, rerunInclude, rerunOptions.optional()]),
  'runs.export': z.tuple([id, z.enum(['csv', 'json'])]),
  'runs.rerunPreview': z.tuple([id, rerunInclude, rerunOptions.optional()]),
  'runs.overlap': z.tuple([id]),
  'runs.skipDone': z.tuple([id]),
  'shell.openExternal': z.tuple([url]),
  'crm.categories': z.tuple([id, positiveInt]),
  'crm.count': z.tuple([id, crmSelection]),
  'runs.createFromCrm': z.tuple([createCrmRun]),
  'runs.preview': z.tuple([previewRequest]),
  // A curl command or an ID; a megabyte is far beyond anything the app offers to copy.
  'clipboard.writeText': z.tuple([z.string().max(1024 * 1024)])
} satisfies { [K in ApiMethod]: z.ZodType<Parameters<ApiHandlers[K]>> }
