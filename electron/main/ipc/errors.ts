// Turns whatever a handler threw into the contract's IpcError: a stable code, words an admin
// understands, the portal's own text when there is one. Everything passes through redact(), so
// a secret inside an exception message cannot cross the bridge.
import { ZodError } from 'zod'
import type { IpcError } from '../../shared/ipc'
import { BitrixError, plainMessage, redact } from '../../core/bitrix'
import { ProfileError, type ProfileErrorCode } from '../../core/profiles/profile-service'
import { ProfileStoreError, type ProfileStoreErrorCode } from '../../core/profiles/profile-store'
import { SecretStoreError } from '../../core/profiles/secret-store'
import { CsvImportError } from '../../core/runs/csv-errors'
import { RunLockedError, RunNotFoundError, RunStateError } from '../../core/runs'
import { SignInCancelledError, SignInFailedError } from './sign-in'
import { CrmSelectionError } from '../../core/runs/crm-source'

/** Thrown by the wiring itself for refusals that are not core's business. */
export class IpcRefusal extends Error {
  constructor(
    readonly code: 'FORBIDDEN' | 'NOT_ALLOWED' | 'VALIDATION',
    message: string
  ) {
    super(message)
    this.name = 'IpcRefusal'
  }
}

/** A new portal profile the portal itself refused on its first connection test: it was not kept. */
export class ConnectionRefusedError extends Error {
  constructor(readonly error: IpcError) {
    super(error.message)
    this.name = 'ConnectionRefusedError'
  }
}

const PROFILE_CODES: Record<ProfileErrorCode | ProfileStoreErrorCode, string> = {
  'invalid-input': 'VALIDATION',
  invalid: 'VALIDATION',
  'duplicate-name': 'VALIDATION',
  'wrong-kind': 'VALIDATION',
  'not-found': 'NOT_FOUND',
  'no-secret': 'NO_SECRET',
  'needs-sign-in': 'NEEDS_SIGN_IN',
  corrupt: 'PROFILES_CORRUPT'
}

function validationMessage(err: ZodError): string {
  const first = err.issues[0]
  if (!first) return 'The request is not valid.'
  // Argument tuples: drop the leading index so the path reads like the request's own fields.
  const path = first.path.slice(1).map(String).join('.')
  return `The request is not valid${path ? ` (${path})` : ''}: ${first.message}`
}

export function toIpcError(err: unknown): IpcError {
  if (err instanceof ZodError) return { code: 'VALIDATION', message: validationMessage(err) }
  if (err instanceof BitrixError) {
    const error: IpcError = { code: err.code, message: redact(plainMessage(err)), kind: err.kind }
    if (err.description) error.portalText = redact(err.description)
    return error
  }
  if (err instanceof ConnectionRefusedError) return { ...err.error, message: redact(err.error.message), ...(err.error.portalText && { portalText: redact(err.error.portalText) }) }
  if (err instanceof IpcRefusal) return { code: err.code, message: redact(err.message) }
  if (err instanceof ProfileError || err instanceof ProfileStoreError) {
    return { code: PROFILE_CODES[err.code], message: redact(err.message) }
  }
  if (err instanceof SecretStoreError) {
    return { code: err.code === 'unavailable' ? 'KEYCHAIN_UNAVAILABLE' : 'KEYCHAIN_CORRUPT', message: redact(err.message) }
  }
  if (err instanceof RunStateError || err instanceof RunNotFoundError || err instanceof RunLockedError) return { code: err.code, message: redact(err.message) }
  if (err instanceof CsvImportError) return { code: `CSV_${err.code.toUpperCase().replace(/-/g, '_')}`, message: redact(err.message) }
  if (err instanceof CrmSelectionError) {
    const error: IpcError = { code: `CRM_${err.code.toUpperCase().replace(/-/g, '_')}`, message: redact(err.message) }
    if (err.portalError?.description) error.portalText = redact(err.portalError.description)
    return error
  }
  if (err instanceof SignInCancelledError) return { code: 'CANCELLED', message: err.message }
  if (err instanceof SignInFailedError) return { code: 'SIGN_IN_FAILED', message: redact(err.message) }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message: redact(message || 'Unexpected error.') }
}
