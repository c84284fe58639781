// Response shapes of a Bitrix24 portal: the success envelope with its `time` block and the
// error envelope. Error texts and statuses follow reference §2/§4.4 ([doc-later] where it differs).

export class RestError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status: number
  ) {
    super(`${code || '""'}: ${description}`)
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.description }
  }
}

/** The system errors every method can produce, as the cloud words them. */
export const errors = {
  noAuth: () => new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401),
  invalidCredentials: () => new RestError('INVALID_CREDENTIALS', 'Invalid request credentials', 401),
  expiredToken: () => new RestError('expired_token', 'The access token provided has expired.', 401),
  invalidToken: () => new RestError('invalid_token', 'The access token provided is invalid.', 401),
  insufficientScope: (via: 'webhook' | 'oauth') =>
    new RestError(
      'insufficient_scope',
      `The request requires higher privileges than provided by the ${via === 'webhook' ? 'webhook' : 'access'} token`,
      401
    ),
  methodNotFound: () => new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404),
  queryLimit: () => new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503),
  operationTimeLimit: () => new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429),
  batchNotAllowed: () => new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 405),
  batchLength: () => new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded', 400),
  internal: () => new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500),
  /** AccessException: "Access denied!" + text, 403 ([src], [doc-later]). */
  accessDenied: (text: string) => new RestError('ACCESS_DENIED', `Access denied! ${text}`, 403),
  /** RestException without a code: error "" and 400 ([src], [doc-later]). */
  plain: (text: string) => new RestError('', text, 400)
}

export interface RestTime {
  start: number
  finish: number
  duration: number
  processing: number
  date_start: string
  date_finish: string
  operating_reset_at?: number
  operating?: number
}

export interface OperatingInfo {
  operating: number
  operatingResetAt: number
}

/** PHP's date('c'): second precision with an explicit offset. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00')
}

/** How a portal writes `time`: current cloud portals keep the start in whole seconds and send
 * `processing: 0` ([docs] examples since 2025), so `duration` = finish - floor(start) carries up to
 * a second never spent; older portals sent a microsecond start and the real processing time. */
export type TimeFormat = 'whole-second' | 'fractional'

/** `startMs`/`finishMs` are on the sandbox clock; `processingMs` is real elapsed handler time. */
export function buildTime(startMs: number, finishMs: number, processingMs: number, format: TimeFormat, op?: OperatingInfo): RestTime {
  const start = format === 'whole-second' ? Math.floor(startMs / 1000) : startMs / 1000
  const finish = finishMs / 1000
  const time: RestTime = {
    start,
    finish,
    duration: finish - start,
    processing: format === 'whole-second' ? 0 : processingMs / 1000,
    date_start: isoSeconds(startMs),
    date_finish: isoSeconds(finishMs)
  }
  if (op) {
    time.operating_reset_at = op.operatingResetAt
    time.operating = op.operating
  }
  return time
}

/** What a method handler returns: its `result` plus the list extras. */
export interface MethodResult {
  result: unknown
  next?: number
  total?: number
}

export function successBody(res: MethodResult, time: RestTime): Record<string, unknown> {
  const body: Record<string, unknown> = { result: res.result }
  if (res.next !== undefined) body.next = res.next
  if (res.total !== undefined) body.total = res.total
  body.time = time
  return body
}
