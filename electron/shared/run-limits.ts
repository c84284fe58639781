// The ranges a custom pace may take, shared by the IPC schema (which refuses anything else) and
// the renderer's fields (which say why, instead of clamping or rounding what the admin typed).
// Pure: no Node, no DOM.

export interface NumberRange {
  min: number
  max: number
  /** Whole numbers only. */
  integer: boolean
}

export const CUSTOM_LIMITS = {
  burst: { min: 1, max: 10_000, integer: true },
  drainPerSec: { min: 0.1, max: 1000, integer: false },
  limitSec: { min: 1, max: 100_000, integer: true },
  windowSec: { min: 1, max: 100_000, integer: true }
} as const satisfies Record<string, NumberRange>

export type CustomLimit = keyof typeof CUSTOM_LIMITS

export type NumberProblem = 'empty' | 'not-number' | 'not-integer' | 'too-small' | 'too-large'

export type NumberParse = { ok: true; value: number } | { ok: false; reason: NumberProblem }

// Plain decimal notation only, "." or "," as the separator (a Russian keyboard types ","): no
// exponents, hex, Infinity or grouping, which Number() would accept or misread.
const DECIMAL = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/

/** A number as typed, within `range`, or the reason it is refused. Never rounds or clamps. */
export function parseInRange(text: string, range: NumberRange): NumberParse {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, reason: 'empty' }
  if (!DECIMAL.test(trimmed)) return { ok: false, reason: 'not-number' }
  const value = Number(trimmed.replace(',', '.'))
  if (range.integer && !Number.isInteger(value)) return { ok: false, reason: 'not-integer' }
  if (value < range.min) return { ok: false, reason: 'too-small' }
  if (value > range.max) return { ok: false, reason: 'too-large' }
  return { ok: true, value }
}
