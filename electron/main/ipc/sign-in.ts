// The OAuth sign-in handshake, minus the window (reference §5.2). Bitrix24 takes the redirect URI
// from the local app's settings, never from the request, so whatever the admin entered there is
// fine: the sign-in window cancels the redirect before it loads and only reads ?code=&state=.
// Suggested value for the local app's handler path: http://127.0.0.1/b24-trigger-runner/callback
// (nothing needs to listen there). The random `state` ties the answer to this very attempt.
import { randomBytes } from 'node:crypto'

export const SUGGESTED_REDIRECT_URI = 'http://127.0.0.1/b24-trigger-runner/callback'

export class SignInCancelledError extends Error {
  constructor(message = 'Sign-in was cancelled: the window closed before the portal sent the app back.') {
    super(message)
    this.name = 'SignInCancelledError'
  }
}

export class SignInFailedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SignInFailedError'
  }
}

export function newState(): string {
  return randomBytes(24).toString('base64url')
}

function params(url: string): URLSearchParams | undefined {
  try {
    return new URL(url).searchParams
  } catch {
    return undefined
  }
}

/** Whether a navigation is the portal sending the browser back to the app for this attempt.
 * The authorize URL itself carries `state` too, so a `code` (or an `error`) is required. */
export function isCallbackFor(state: string): (url: string) => boolean {
  return (url) => {
    const q = params(url)
    return !!q && q.get('state') === state && (q.has('code') || q.has('error'))
  }
}

/** The one-time code from the callback URL; throws SignInFailedError when the portal refused. */
export function codeFromCallback(url: string, state: string): string {
  const q = params(url)
  if (!q || q.get('state') !== state) throw new SignInFailedError('The portal answered a different sign-in attempt. Try again.')
  const code = q.get('code')
  if (code) return code
  const error = q.get('error_description') || q.get('error') || 'no code in the answer'
  throw new SignInFailedError(`The portal did not grant access: ${error}`)
}
