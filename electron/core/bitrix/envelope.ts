// Reads the REST envelope: {result, time, next, total} on success, {error, error_description}
// on failure (reference §2). Anything else is an answer we cannot trust either way.
import type { RestTime } from '../../shared/domain'
import { SyntheticCode } from './classify'
import { BitrixError } from './errors'
import type { RestResponse } from './types'

export interface RawAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export type Envelope = { ok: RestResponse; error?: undefined } | { ok?: undefined; error: BitrixError }

/** Never throws: the caller decides (e.g. expired_token is handled before surfacing). */
export function readEnvelope(answer: RawAnswer, method: string): Envelope {
  const json = parseJsonObject(answer.body)
  if (!json) return { error: notJson(answer, method) }
  if ('error' in json) {
    return {
      error: new BitrixError({
        code: json.error == null ? '' : String(json.error),
        description: typeof json.error_description === 'string' ? json.error_description : '',
        status: answer.status,
        method
      })
    }
  }
  if (!('result' in json)) {
    return {
      error: new BitrixError({
        code: SyntheticCode.MALFORMED_RESPONSE,
        description: `HTTP ${answer.status} JSON answer has neither "result" nor "error".`,
        status: answer.status,
        method
      })
    }
  }
  const ok: RestResponse = { result: json.result, status: answer.status }
  const time = readTime(json.time)
  if (time) ok.time = time
  if (typeof json.next === 'number') ok.next = json.next
  if (typeof json.total === 'number') ok.total = json.total
  return { ok }
}

export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** `time` varies by method and environment; keep the known fields that have the right type. */
export function readTime(value: unknown): RestTime | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const src = value as Record<string, unknown>
  const time: RestTime = {}
  for (const key of ['start', 'finish', 'duration', 'processing', 'operating', 'operating_reset_at'] as const) {
    const v = src[key]
    if (typeof v === 'number' && Number.isFinite(v)) time[key] = v
  }
  for (const key of ['date_start', 'date_finish'] as const) {
    const v = src[key]
    if (typeof v === 'string') time[key] = v
  }
  return time
}

function notJson(answer: RawAnswer, method: string): BitrixError {
  const type = headerValue(answer.headers['content-type']) || 'no content type'
  const what = answer.body.trim() === '' ? 'an empty body' : `a body that is not JSON (${type})`
  return new BitrixError({
    code: SyntheticCode.NON_JSON_RESPONSE,
    description: `HTTP ${answer.status} with ${what}.`,
    status: answer.status,
    method
  })
}

function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.split(';')[0]?.trim() ?? ''
}
