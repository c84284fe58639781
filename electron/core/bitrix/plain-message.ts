// Admin-readable words for the errors people actually meet. The portal's own text stays in
// `description`: its docs say error_description is not meant for end users as is.
import type { ErrorInfo } from '../../shared/domain'
import { SyntheticCode } from './classify'
import { redact } from './redact'

type Rule = { code: string; text?: RegExp; message: string }

/** First match wins; `code` compared case-insensitively. */
const RULES: readonly Rule[] = [
  { code: 'ACCESS_DENIED', text: /application context required/i,
    message: 'A webhook cannot run app triggers. Use a profile signed in through the local app (OAuth).' },
  { code: 'ACCESS_DENIED', text: /admin permissions required/i,
    message: 'The signed-in user must be a portal administrator.' },
  { code: 'ACCESS_DENIED', text: /commercial plans|subscription/i,
    message: "The portal's plan does not include REST access." },
  { code: 'ACCESS_DENIED', text: /permissions to update/i,
    message: 'The user has no permission to change this item.' },
  { code: 'ACCESS_DENIED', message: 'The portal denied access.' },
  { code: '', text: /^access denied\.?$/i, message: 'The user has no access to the CRM.' },
  { code: '', text: /^trigger with code .* is not registered/i,
    message: 'This trigger is not registered by this app. Check the trigger code or register it first.' },
  { code: '', text: /incorrect parameter owner_id/i, message: 'The item ID must be a whole number above 0.' },
  { code: '', text: /incorrect parameter owner_type_id/i, message: 'The portal does not know this CRM type.' },
  { code: '', text: /target is not found/i, message: 'The portal does not know this item type.' },
  { code: 'QUERY_LIMIT_EXCEEDED', message: 'Too many requests for the portal right now. Nothing ran; it is safe to try again after a pause.' },
  { code: 'OPERATION_TIME_LIMIT', message: "This method used up its server-time budget on the portal. Nothing ran; it will be available again within minutes." },
  { code: 'expired_token', message: 'The access token expired and could not be renewed.' },
  { code: 'invalid_grant', message: 'The saved sign-in is no longer valid. Sign in again.' },
  { code: 'invalid_client', message: "The application's keys are wrong: the client secret does not match the client ID (or the app is not installed on the portal)." },
  { code: 'wrong_client', message: "The application's keys are wrong: the portal does not know this client ID." },
  { code: 'invalid_token', message: 'The portal rejected the access token. Sign in again.' },
  { code: 'NO_AUTH_FOUND', message: 'The portal rejected the credentials. Check the webhook URL or sign in again.' },
  { code: 'INVALID_CREDENTIALS', message: 'The portal rejected the credentials. Check the webhook URL or sign in again.' },
  { code: 'insufficient_scope', message: 'The webhook or app lacks a permission (scope) this needs, such as crm.' },
  { code: 'user_access_error', message: 'This user has no access to the app.' },
  { code: 'OVERLOAD_LIMIT', message: 'Bitrix24 has blocked REST access for this portal because of overload. Contact Bitrix24 support.' },
  { code: 'PAYMENT_REQUIRED', message: "The portal's plan or the app's subscription has expired." },
  { code: 'PORTAL_DELETED', message: 'The portal no longer exists or its public part is closed.' },
  { code: 'ERROR_METHOD_NOT_FOUND', message: 'The portal does not offer this method (or the scope for it is not granted).' },
  { code: 'INVALID_REQUEST', message: 'The portal refused the request (it requires https).' },
  { code: 'INTERNAL_SERVER_ERROR', message: 'The portal had an internal error. The call may or may not have run.' },
  { code: 'ERROR_UNEXPECTED_ANSWER', message: 'The portal gave an unexpected answer. The call may or may not have run.' },
  { code: SyntheticCode.CONNECTION_FAILED, message: 'Could not connect to the portal. Nothing was sent.' },
  { code: SyntheticCode.ABORTED_BEFORE_SEND, message: 'Cancelled before anything was sent.' },
  { code: SyntheticCode.NETWORK_ERROR, message: 'The connection broke after the request was sent. It may or may not have run.' },
  { code: SyntheticCode.REQUEST_TIMEOUT, message: 'No answer from the portal in time. The call may or may not have run.' },
  { code: SyntheticCode.REQUEST_ABORTED, message: 'Cancelled while waiting for the answer. The call may or may not have run.' },
  { code: SyntheticCode.NON_JSON_RESPONSE, message: 'The portal (or a proxy in front of it) answered with a page instead of data. The call may or may not have run.' },
  { code: SyntheticCode.MALFORMED_RESPONSE, message: 'The portal answered with data this tool does not understand. The call may or may not have run.' },
  { code: SyntheticCode.INSECURE_URL, message: 'Plain http:// is only allowed for this computer. Use the https:// address of the portal.' },
  { code: SyntheticCode.TOO_MANY_REDIRECTS, message: 'The portal address keeps redirecting. Check the portal URL.' },
  { code: SyntheticCode.TOKEN_REQUEST_FAILED, message: 'Could not renew the access token. Nothing was sent; try again.' },
  { code: SyntheticCode.CREDENTIALS_NOT_SAVED, message: 'The renewed sign-in could not be saved to the system keychain, so it was not used; this program keeps it until it exits. Unlock the keychain and resume from here; once closed, sign in to the profile again.' }
]

export function plainMessage(err: unknown): string {
  const info = asInfo(err)
  if (!info) return err instanceof Error ? redact(err.message) : 'Unexpected error.'
  const rule = RULES.find(
    (r) => r.code.toLowerCase() === info.code.toLowerCase() && (!r.text || r.text.test(info.description.trim()))
  )
  if (rule) return rule.message
  return redact(info.description || info.code || 'The portal reported an error without a description.')
}

function asInfo(err: unknown): ErrorInfo | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { code, description } = err as Partial<ErrorInfo>
  if (typeof code !== 'string' || typeof description !== 'string') return undefined
  return err as ErrorInfo
}
