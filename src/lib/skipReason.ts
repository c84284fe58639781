// Why a row was skipped, in the admin's language. Core sends a stable reason code (SkipReason)
// with an English sentence; the renderer translates the code and keeps the sentence as a hint.

/** The earlier line a duplicate repeats. The row view carries it only inside core's English
 * text ("duplicate of line 3"), so it is read from there; no match simply shows no line. */
export function duplicateOfLine(text: string | undefined): number | undefined {
  const match = /\bline (\d+)\b/.exec(text ?? '')
  return match ? Number(match[1]) : undefined
}
