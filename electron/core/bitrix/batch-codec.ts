// The `batch` method's wire format (reference §3): commands go out as `method?query` strings with
// PHP-style bracketed parameters, URL-encoded inside each string (the JSON body carries them as
// plain strings, so nothing is double-encoded). Answers come back split across result,
// result_error, result_time, result_total and result_next, each keyed by label, and each `[]`
// instead of `{}` when empty.
import { classifyError, SyntheticCode } from './classify'
import { readTime } from './envelope'
import { BitrixError } from './errors'
import type { BatchCommand, BatchItemResult } from './types'

export const MAX_BATCH_COMMANDS = 50

const METHOD_NAME = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/i
/** PHP turns integer-like keys into list positions, and the portal then answers with lists. */
const NUMERIC_LABEL = /^\s*[-+]?\d+\s*$/

export function assertMethodName(method: string): void {
  if (!METHOD_NAME.test(method)) invalid(`"${method}" is not a REST method name.`)
}

/** Builds the `cmd` object; throws before anything is sent if a command is unusable. */
export function encodeBatch(commands: readonly BatchCommand[]): Record<string, string> {
  if (commands.length === 0) invalid('A batch needs at least one command.')
  if (commands.length > MAX_BATCH_COMMANDS) invalid(`A batch holds at most ${MAX_BATCH_COMMANDS} commands, got ${commands.length}.`)
  const cmd: Record<string, string> = {}
  for (const { label, method, params } of commands) {
    if (label.trim() === '') invalid('A batch label must not be empty.')
    if (NUMERIC_LABEL.test(label)) invalid(`Batch label "${label}" is numeric; use a label such as "r${label.trim()}".`)
    if (Object.hasOwn(cmd, label)) invalid(`Batch label "${label}" is used twice.`)
    assertMethodName(method)
    const query = encodeParams(params)
    cmd[label] = query ? `${method}?${query}` : method
  }
  return cmd
}

/** PHP http_build_query semantics: nested keys in brackets, list indexes as numbers, booleans as
 * 1/0, null and undefined left out. */
export function encodeParams(params: Record<string, unknown>): string {
  const pairs: string[] = []
  const walk = (key: string, value: unknown): void => {
    if (value === null || value === undefined) return
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${key}[${i}]`, v))
    } else if (value instanceof Date) {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(value.toISOString())}`)
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(`${key}[${k}]`, v)
    } else {
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value)
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`)
    }
  }
  for (const [key, value] of Object.entries(params)) walk(key, value)
  return pairs.join('&')
}

/** One item per command, in the order sent. `status` is the HTTP status of the batch answer: per
 * command errors carry no status of their own. */
export function decodeBatch(commands: readonly BatchCommand[], result: unknown, status: number): BatchItemResult[] {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new BitrixError({ code: SyntheticCode.MALFORMED_RESPONSE, description: 'The batch answer has no result object.', status, method: 'batch' })
  }
  const parts = result as Record<string, unknown>
  const results = keyed(parts.result)
  const errors = keyed(parts.result_error)
  const times = keyed(parts.result_time)
  const totals = keyed(parts.result_total)
  const nexts = keyed(parts.result_next)

  return commands.map(({ label }): BatchItemResult => {
    const time = readTime(times[label])
    if (Object.hasOwn(errors, label)) {
      const raw = errors[label]
      const err = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}
      const code = err.error == null ? '' : String(err.error)
      const description = typeof err.error_description === 'string' ? err.error_description : ''
      // Through BitrixError so the description is redacted like every other error text.
      const { info } = new BitrixError({ code, description, status, method: commandMethod(commands, label), kind: classifyError(code, 0, description) })
      return { label, state: 'error', error: info, ...(time && { time }) }
    }
    if (Object.hasOwn(results, label)) {
      const item: Extract<BatchItemResult, { state: 'ok' }> = { label, state: 'ok', result: results[label] }
      if (time) item.time = time
      if (typeof totals[label] === 'number') item.total = totals[label]
      if (typeof nexts[label] === 'number') item.next = nexts[label]
      return item
    }
    return { label, state: 'absent' }
  })
}

/** `[]` (PHP's empty array) and absent members read as "no entries". */
function keyed(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function commandMethod(commands: readonly BatchCommand[], label: string): string {
  return commands.find((c) => c.label === label)?.method ?? 'batch'
}

function invalid(description: string): never {
  throw new BitrixError({ code: SyntheticCode.INVALID_ARGUMENT, description, status: 0 })
}
