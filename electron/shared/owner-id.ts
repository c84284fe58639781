// The one rule for an owner (item) ID, shared by the CSV check, the CLI and the renderer's Item ID
// field, so all three refuse the same inputs with the same reason. Pure: no Node, no DOM.
// Stricter than Number(): "1e3", "12.5", "0x1F" and "12,00" are refused rather than guessed at,
// because a wrong guess fires a trigger on the wrong item.

/** OWNER_ID is a MySQL INT column: larger values, even if a double holds them exactly, can never
 * name an item. */
export const MAX_OWNER_ID = 2_147_483_647

export type OwnerIdProblem = 'empty' | 'not-integer' | 'not-positive' | 'too-large'

export type OwnerIdParse = { ok: true; id: number } | { ok: false; reason: OwnerIdProblem }

// Digits, optionally with a sign, or grouped by thousands with (non-breaking) spaces as a
// Russian-locale Excel writes formatted numbers to CSV ("12 345"). A space is never a decimal
// separator, so the grouping is unambiguous.
export const OWNER_ID_TEXT = /^([+-]?)(\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)$/

/** Why an ID is refused, in the words of the CSV check's verdicts (core csv-verdicts). */
export function ownerIdProblemText(reason: OwnerIdProblem, raw: string): string {
  switch (reason) {
    case 'empty':
      return 'no owner ID given'
    case 'not-integer':
      return `owner ID "${raw}" is not a whole number`
    case 'not-positive':
      return `owner ID "${raw}" is not greater than 0`
    case 'too-large':
      return `owner ID "${raw}" is larger than ${MAX_OWNER_ID}, the largest ID the portal stores`
  }
}

/** An ID as typed or read from a cell: 1..MAX_OWNER_ID, or the reason it is not one. */
export function parseOwnerId(cell: string): OwnerIdParse {
  const text = cell.trim()
  if (text === '') return { ok: false, reason: 'empty' }
  const m = OWNER_ID_TEXT.exec(text)
  if (!m) return { ok: false, reason: 'not-integer' }
  const digits = m[2]!.replace(/\D/g, '')
  const value = Number(digits)
  if (m[1] === '-' || value === 0) return { ok: false, reason: 'not-positive' }
  if (value > MAX_OWNER_ID) return { ok: false, reason: 'too-large' }
  return { ok: true, id: value }
}
