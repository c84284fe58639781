// Which plain-words explanation fits an error. Codes are matched case-insensitively and the
// empty code "" is a real portal code (DESIGN.md, Outcomes), so the portal's text decides then.
import type { IpcError } from '@/lib/contract'

/** An i18n key under `errors.` for a known error, or null to show the main process's message. */
export function errorTextKey(error: Pick<IpcError, 'code' | 'portalText' | 'kind'>): string | null {
  const code = error.code.toUpperCase()
  const text = (error.portalText ?? '').toLowerCase()

  const byText: [string, string][] = [
    ['application context required', 'appContextRequired'],
    ['admin permissions required', 'adminRequired'],
    ['no permissions to update the entity', 'noEntityPermission'],
    ['is not registered', 'triggerNotRegistered'],
    ['trigger not found', 'triggerNotFound'],
    ['wrong trigger code', 'wrongTriggerCode'],
    ['empty trigger code', 'emptyTriggerCode'],
    ['empty trigger name', 'emptyTriggerName'],
    ['incorrect parameter owner_type_id', 'badOwnerType'],
    ['incorrect parameter owner_id', 'badOwnerId'],
    ['target is not found', 'targetNotFound'],
    ['commercial plans', 'restNotInPlan'],
    ['subscription', 'restNotInPlan'],
    ['incorrect target format', 'badTarget']
  ]
  // These texts come with ACCESS_DENIED or the empty code; elsewhere the code decides.
  if (code === '' || code === 'ACCESS_DENIED') for (const [needle, key] of byText) if (text.includes(needle)) return key

  const byCode: Record<string, string> = {
    KEYCHAIN_UNAVAILABLE: 'keychainUnavailable',
    ACCESS_DENIED: 'accessDenied',
    QUERY_LIMIT_EXCEEDED: 'queryLimit',
    OPERATION_TIME_LIMIT: 'operatingLimit',
    EXPIRED_TOKEN: 'expiredToken',
    INVALID_TOKEN: 'invalidToken',
    INVALID_GRANT: 'invalidGrant',
    INVALID_CLIENT: 'invalidClient',
    WRONG_CLIENT: 'wrongClient',
    INSUFFICIENT_SCOPE: 'insufficientScope',
    INVALID_SCOPE: 'insufficientScope',
    NO_AUTH_FOUND: 'invalidToken',
    PAYMENT_REQUIRED: 'paymentRequired',
    OVERLOAD_LIMIT: 'overloadLimit',
    ALLOWED_ONLY_INTRANET_USER: 'intranetOnly',
    INVALID_CREDENTIALS: 'invalidCredentials',
    USER_ACCESS_ERROR: 'userAccessError',
    PORTAL_DELETED: 'portalDeleted',
    ERROR_METHOD_NOT_FOUND: 'methodNotFound',
    WRONG_AUTH_TYPE: 'appContextRequired',
    INTERNAL_SERVER_ERROR: 'portalInternal',
    ERROR_UNEXPECTED_ANSWER: 'noAnswer',
    CONNECTION_FAILED: 'connectionFailed',
    ABORTED_BEFORE_SEND: 'abortedBeforeSend',
    NETWORK_ERROR: 'noAnswer',
    REQUEST_TIMEOUT: 'timeout',
    REQUEST_ABORTED: 'abortedAfterSend',
    NON_JSON_RESPONSE: 'nonJson',
    INTERRUPTED: 'interrupted',
    MALFORMED_RESPONSE: 'noAnswer',
    INSECURE_URL: 'insecureUrl',
    TOO_MANY_REDIRECTS: 'tooManyRedirects',
    TOKEN_REQUEST_FAILED: 'tokenRequestFailed',
    CREDENTIALS_NOT_SAVED: 'credentialsNotSaved',
    KEYCHAIN_CORRUPT: 'keychainCorrupt',
    SIGN_IN_FAILED: 'signInFailed',
    CANCELLED: 'cancelled',
    FORBIDDEN: 'forbidden',
    CSV_EMPTY: 'csvEmpty',
    CSV_NOT_TEXT: 'csvNotText',
    CSV_BAD_ENCODING: 'csvBadEncoding',
    CSV_TOO_MANY_ROWS: 'csvTooManyRows',
    CSV_UNREADABLE: 'csvUnreadable',
    CSV_SOURCE_CHANGED: 'csvSourceChanged',
    CSV_XLS_UNSUPPORTED: 'csvXlsUnsupported',
    NO_BRIDGE: 'noBridge'
  }
  const known = byCode[code]
  if (known) return known
  if (code === '' && text.includes('access denied')) return 'noCrmAccess'
  // A transport fault: sent, no trustworthy answer.
  if (error.kind === 'ambiguous') return 'noAnswer'
  return null
}
