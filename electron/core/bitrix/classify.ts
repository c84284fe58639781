// Which error class a portal answer or transport fault belongs to (reference §4.4, §5.1, §7).
// Decided by the `error` code, case-insensitively and with "" allowed; the HTTP status is only a
// fallback because documented statuses changed between revisions.
import type { ErrorKind } from '../../shared/domain'

/** Codes this client invents for faults that have no portal answer. */
export const SyntheticCode = {
  /** DNS, refused, TLS or connect-timeout failure: the request never left. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** The caller aborted before the connection opened: nothing was sent. */
  ABORTED_BEFORE_SEND: 'ABORTED_BEFORE_SEND',
  /** Reset or closed after the request may have been written. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** No complete answer within the timeout after the connection opened. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The caller aborted after the request may have been written. */
  REQUEST_ABORTED: 'REQUEST_ABORTED',
  /** A body that is not the API's JSON (proxy error page, empty body...). */
  NON_JSON_RESPONSE: 'NON_JSON_RESPONSE',
  /** JSON, but neither `result` nor `error` where one was expected. */
  MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  /** Plain http:// to a host that is not loopback. */
  INSECURE_URL: 'INSECURE_URL',
  TOO_MANY_REDIRECTS: 'TOO_MANY_REDIRECTS',
  /** The token endpoint could not be reached or answered nonsense. During a refresh the call itself
   * was not sent (retry-safe), though a lost answer may have rotated the refresh token. */
  TOKEN_REQUEST_FAILED: 'TOKEN_REQUEST_FAILED',
  /** The rotated token pair could not be stored, so it is not used. */
  CREDENTIALS_NOT_SAVED: 'CREDENTIALS_NOT_SAVED',
  /** Rejected locally before sending (bad method name, batch too large, numeric label...). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT'
} as const

/** Keys are lower-case codes. */
const KIND_BY_CODE: ReadonlyMap<string, ErrorKind> = new Map(
  Object.entries({
    'retry-safe': [
      'QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'expired_token',
      SyntheticCode.CONNECTION_FAILED, SyntheticCode.ABORTED_BEFORE_SEND, SyntheticCode.TOKEN_REQUEST_FAILED
    ],
    'run-fatal': [
      'NO_AUTH_FOUND', 'invalid_token', 'INVALID_CREDENTIALS', 'ACCESS_DENIED', 'insufficient_scope',
      'user_access_error', 'OVERLOAD_LIMIT', 'PAYMENT_REQUIRED', 'PORTAL_DELETED', 'invalid_grant',
      'invalid_client', 'wrong_client', 'INVALID_REQUEST', 'ERROR_METHOD_NOT_FOUND', 'WRONG_AUTH_TYPE',
      'allowed_only_intranet_user',
      SyntheticCode.INSECURE_URL, SyntheticCode.TOO_MANY_REDIRECTS, SyntheticCode.CREDENTIALS_NOT_SAVED
    ],
    ambiguous: [
      'INTERNAL_SERVER_ERROR', 'ERROR_UNEXPECTED_ANSWER',
      SyntheticCode.NETWORK_ERROR, SyntheticCode.REQUEST_TIMEOUT, SyntheticCode.REQUEST_ABORTED,
      SyntheticCode.NON_JSON_RESPONSE, SyntheticCode.MALFORMED_RESPONSE
    ],
    definite: [SyntheticCode.INVALID_ARGUMENT]
  } satisfies Record<ErrorKind, string[]>).flatMap(([kind, codes]) =>
    codes.map((code) => [code.toLowerCase(), kind as ErrorKind] as const)
  )
)

/** Errors with the empty code that fail every row alike (reference §1.5): no CRM access, or a
 * trigger code this app never registered. */
const RUN_FATAL_EMPTY_CODE_TEXT: readonly RegExp[] = [
  /^access denied\.?$/i,
  /^trigger with code .* is not registered\.?$/i
]

/** Answers whose code is run-fatal elsewhere but which here concern one item only. The
 * incoming-webhook trigger (crm.automation.trigger) checks the user's right to update each item:
 * a user may lack it on some items and not others, so pausing the run would be wrong. */
const DEFINITE_PER_ITEM: readonly { code: string; text: RegExp }[] = [
  { code: 'access_denied', text: /no permissions to update the entity/i }
]

export function classifyError(code: string, status: number, description: string): ErrorKind {
  const lower = code.toLowerCase()
  const text = description.trim()
  if (DEFINITE_PER_ITEM.some((e) => e.code === lower && e.text.test(text))) return 'definite'
  const known = KIND_BY_CODE.get(lower)
  if (known) return known
  if (code === '') {
    if (RUN_FATAL_EMPTY_CODE_TEXT.some((re) => re.test(text))) return 'run-fatal'
    // An empty code and empty text on a 5xx is a crash page, not a validation message.
    if (status >= 500 && text === '') return 'ambiguous'
    return 'definite'
  }
  // Unknown codes: fall back on the status. A 5xx may have been raised half-way through the
  // method, so it cannot be read as "did not run"; a 401 is an auth failure for every row.
  if (status >= 500) return 'ambiguous'
  if (status === 401) return 'run-fatal'
  return 'definite'
}
