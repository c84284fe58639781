// What verification found over a whole run: `result: true` is not a move, so a verified run's
// summary says how many items really moved.
import type { Core } from './core'

export interface VerificationCounts {
  moved: number
  unchanged: number
  notFound: number
}

export async function verificationCounts(core: Core, runId: string): Promise<VerificationCounts> {
  const { table } = (await core.runs.load(runId)).replay
  const counts: VerificationCounts = { moved: 0, unchanged: 0, notFound: 0 }
  for (let r = 0; r < table.rowsLoaded; r++) {
    const v = table.verificationOf(r)
    if (v?.state === 'moved') counts.moved++
    else if (v?.state === 'unchanged') counts.unchanged++
    else if (v?.state === 'not-found') counts.notFound++
  }
  return counts
}

export function formatVerificationCounts(c: VerificationCounts): string {
  return `verified: ${c.moved} moved, ${c.unchanged} unchanged, ${c.notFound} not found or not visible`
}
