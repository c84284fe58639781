// Errors that only a new sign-in can clear: the refresh token is dead (invalid_grant), the app has
// no tokens yet, or the portal no longer accepts the token. Rate limits and network faults are
// not among them: signing in again would not help.
import type { IpcError } from '@/lib/contract'

const SIGN_IN_CODES = new Set(['invalid_grant', 'NEEDS_SIGN_IN', 'NO_AUTH_FOUND', 'invalid_token', 'INVALID_CREDENTIALS', 'invalid_client'])

export function needsSignIn(error: Pick<IpcError, 'code'> | undefined): boolean {
  return !!error && SIGN_IN_CODES.has(error.code)
}
