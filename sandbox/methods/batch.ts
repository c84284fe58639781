// `batch` (reference §3): up to 50 commands run one after another with the caller's auth;
// extra keys get ERROR_BATCH_LENGTH_EXCEEDED, nested batch is refused, halt stops at the first
// error (later keys are absent), and every result_* member is `[]` when empty, as PHP encodes it.
import { errors } from '../envelope'
import type { MethodResult } from '../envelope'
import { bool, param, parsePhpQuery } from '../params'
import type { MethodDef } from './types'
import { resolveReferences } from '../batch-refs'

export const MAX_BATCH = 50

/** json_encode's view of a PHP array: a list when keys are 0..n-1 in order, [] when empty. */
function phpArray(map: Map<string, unknown>): unknown {
  let i = 0
  let isList = true
  for (const k of map.keys()) {
    if (k !== String(i++)) {
      isList = false
      break
    }
  }
  if (isList) return [...map.values()]
  return Object.fromEntries(map)
}

function commands(cmd: unknown): [string, unknown][] {
  if (Array.isArray(cmd)) return cmd.map((v, i) => [String(i), v])
  if (cmd && typeof cmd === 'object') return Object.entries(cmd)
  return []
}

/** "method?a=1&b[]=2" -> method name and its parameters (the nested `auth` is the outer one). */
function splitCommand(raw: string): { method: string; params: Record<string, unknown> } {
  const q = raw.indexOf('?')
  const method = (q < 0 ? raw : raw.slice(0, q)).trim().toLowerCase()
  const params = q < 0 ? {} : parsePhpQuery(raw.slice(q + 1))
  delete params.auth
  return { method, params }
}

export const batch: MethodDef = {
  scope: 'basic',
  countsOperating: false,
  async handler(ctx, params): Promise<MethodResult> {
    ctx.state.counters.batches++
    const halt = bool(param(params, 'halt'))
    const result = new Map<string, unknown>()
    const resultError = new Map<string, unknown>()
    const resultTotal = new Map<string, unknown>()
    const resultNext = new Map<string, unknown>()
    const resultTime = new Map<string, unknown>()
    let n = 0
    for (const [key, raw] of commands(param(params, 'cmd'))) {
      if (typeof raw === 'string' && ++n > MAX_BATCH) {
        // [src]: the first 50 run; each extra key gets the error inside result_error.
        resultError.set(key, errors.batchLength().toJSON())
        if (halt) break
        continue
      }
      // [rest] methodsBatch: a command that is not a string is skipped, with no result and no error.
      if (typeof raw !== 'string') continue
      const { method, params: parsed } = splitCommand(raw)
      // $result[label][path] references to earlier commands' answers (batch-refs.ts).
      const cmdParams = resolveReferences(parsed, { result, next: resultNext, total: resultTotal, time: resultTime, error: resultError })
      const outcome = await ctx.callNested(method, cmdParams)
      if (outcome.time) resultTime.set(key, outcome.time)
      if (outcome.ok) {
        result.set(key, outcome.res.result)
        if (outcome.res.total !== undefined) resultTotal.set(key, outcome.res.total)
        if (outcome.res.next !== undefined) resultNext.set(key, outcome.res.next)
      } else {
        resultError.set(key, outcome.error.toJSON())
        if (halt) break
      }
    }
    return {
      result: {
        result: phpArray(result),
        result_error: phpArray(resultError),
        result_total: phpArray(resultTotal),
        result_next: phpArray(resultNext),
        result_time: phpArray(resultTime)
      }
    }
  }
}
