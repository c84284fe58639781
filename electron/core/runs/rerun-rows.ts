// Which rows of a run a re-run takes, and what the confirmation says about them.
//
//   failed            rows the portal refused: nothing ran, safe to send again
//   failed+uncertain  also rows sent without a clear answer, except those whose stage check saw
//                     the item move (the trigger ran): those only with `includeMoved`
//   unchanged         rows that succeeded but whose item did not move (verified runs)
//   not-run           rows a cancel left unsent ("Run the rows not sent")
import type { Outcome } from '../../shared/domain'
import type { RerunInclude, RerunOptions, RerunPreview } from '../../shared/ipc'
import type { RowTable } from './row-table'

export interface RerunSelection extends RerunPreview {
  /** Row indexes taken, in file order. */
  indexes: number[]
}

/** The rows `include` takes from `table`, with the counts the confirmation shows. */
export function selectRerunRows(table: RowTable, include: RerunInclude, options: RerunOptions = {}): RerunSelection {
  const sel: RerunSelection = { include, rows: 0, failed: 0, uncertain: 0, unchanged: 0, notRun: 0, movedLeftOut: 0, movedIncluded: 0, indexes: [] }
  for (let r = 0; r < table.rowsLoaded; r++) {
    const outcome: Outcome | 'pending' = table.outcomeOf(r)
    const moved = table.verificationOf(r)?.state === 'moved'
    let take = false
    switch (include) {
      case 'failed':
        take = outcome === 'failed'
        break
      case 'failed+uncertain':
        if (outcome === 'failed') take = true
        else if (outcome === 'uncertain') {
          // Seen to move: the trigger ran. Sending it again fires it twice unless asked.
          if (moved && !options.includeMoved) sel.movedLeftOut++
          else take = true
        }
        break
      case 'unchanged':
        take = outcome === 'succeeded' && table.verificationOf(r)?.state === 'unchanged'
        break
      case 'not-run':
        take = outcome === 'not-run'
        break
    }
    if (!take) continue
    sel.indexes.push(r)
    sel.rows++
    if (outcome === 'failed') sel.failed++
    else if (outcome === 'uncertain') sel.uncertain++
    else if (outcome === 'not-run') sel.notRun++
    else if (outcome === 'succeeded') sel.unchanged++
    if (moved) sel.movedIncluded++
  }
  return sel
}

/** Why there is nothing to re-run, in the words of the choice made. */
export function nothingToRerun(include: RerunInclude, sel: RerunPreview): string {
  switch (include) {
    case 'failed':
      return 'This run has no failed rows.'
    case 'failed+uncertain':
      return sel.movedLeftOut > 0
        ? `This run has no failed rows, and its ${sel.movedLeftOut} uncertain row(s) were all seen to move (their trigger ran); add them on purpose to send them again.`
        : 'This run has no failed or uncertain rows.'
    case 'unchanged':
      return 'This run has no rows that succeeded without moving (re-run unchanged needs a verified run).'
    case 'not-run':
      return 'This run has no rows left unsent.'
  }
}
