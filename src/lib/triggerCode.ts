// The portal's rule for an app trigger CODE (reference §1.1): /^[a-z0-9.\-_]+$/i, not empty and
// not "0" (PHP empty()). Checked as typed: no trimming or lowercasing behind the admin's back.

export type TriggerCodeProblem = 'empty' | 'zero' | 'chars'

export function triggerCodeProblem(code: string): TriggerCodeProblem | null {
  if (code === '') return 'empty'
  if (code === '0') return 'zero'
  if (!/^[a-z0-9.\-_]+$/i.test(code)) return 'chars'
  return null
}

/** The portal accepts uppercase, but matches codes case-sensitively when a trigger fires. */
export function triggerCodeHasUppercase(code: string): boolean {
  return code !== code.toLowerCase()
}
