// The one error type the REST core throws. Its text is always redacted, and it never holds the
// request (URL, headers, body) or a raw Node error, so no secret can leak through it.
import type { ErrorInfo, ErrorKind } from '../../shared/domain'
import { classifyError } from './classify'
import { redact } from './redact'

export class BitrixError extends Error {
  readonly code: string
  /** The portal's error_description (or ours for synthetic codes), redacted. */
  readonly description: string
  /** HTTP status, 0 when there was no response. */
  readonly status: number
  readonly kind: ErrorKind
  /** The REST method it concerns ('' for the token endpoint or local checks). */
  readonly method: string

  constructor(init: { code: string; description: string; status: number; method?: string; kind?: ErrorKind; message?: string }) {
    const description = redact(init.description)
    const method = init.method ?? ''
    const label = init.code === '' ? '(empty error code)' : init.code
    super(redact(init.message ?? `${method ? `${method}: ` : ''}${label}${description ? ` - ${description}` : ''}`))
    this.name = 'BitrixError'
    this.code = init.code
    this.description = description
    this.status = init.status
    this.kind = init.kind ?? classifyError(init.code, init.status, init.description)
    this.method = method
  }

  get info(): ErrorInfo {
    return { code: this.code, description: this.description, status: this.status, kind: this.kind }
  }

  toJSON(): ErrorInfo & { method: string; message: string } {
    return { ...this.info, method: this.method, message: this.message }
  }
}

export function isBitrixError(err: unknown): err is BitrixError {
  return err instanceof BitrixError
}
