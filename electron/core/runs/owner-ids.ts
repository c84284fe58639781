// Reading an owner ID from a spreadsheet cell. Stricter than Number(): "1e3", "12.5", "0x1F"
// and "12,00" are refused rather than guessed at, because a wrong guess fires a trigger on
// the wrong item.
import { MAX_OWNER_ID } from '../triggers/validation'

export type OwnerIdParse =
  | { ok: true; id: number }
  | { ok: false; reason: 'empty' | 'not-integer' | 'not-positive' | 'too-large' }

// Digits, optionally with a sign, or grouped by thousands with (non-breaking) spaces as a
// Russian-locale Excel writes formatted numbers to CSV ("12 345"). A space is never a decimal
// separator, so the grouping is unambiguous.
const INTEGER = /^([+-]?)(\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)$/

/** IDs are MySQL INT columns, so 1..2147483647 (MAX_OWNER_ID); larger values, even if a
 * double holds them exactly, can never name an item. */
export function parseOwnerId(cell: string): OwnerIdParse {
  const text = cell.trim()
  if (text === '') return { ok: false, reason: 'empty' }
  const m = INTEGER.exec(text)
  if (!m) return { ok: false, reason: 'not-integer' }
  const digits = m[2]!.replace(/\D/g, '')
  const value = Number(digits)
  if (m[1] === '-' || value === 0) return { ok: false, reason: 'not-positive' }
  if (value > MAX_OWNER_ID) return { ok: false, reason: 'too-large' }
  return { ok: true, id: value }
}

/** Loose test used when guessing which column holds IDs and whether row 1 is a header. */
export function looksNumeric(cell: string): boolean {
  return INTEGER.test(cell.trim())
}
