// Before a file run starts: rows a recent run of the same trigger on the same portal already
// sent (succeeded, or uncertain: they may have run). Never re-fired silently: --skip-done skips
// them, --include-done sends them again; with neither, a terminal is asked, and without one the
// command stops with exit 2 and names the two flags.
import { createInterface } from 'node:readline'
import type { RunOverlap } from '../shared/ipc'
import { interrupted, usageError } from './errors'
import type { Output } from './output'

export type OverlapChoice = 'skip' | 'include'

export interface OverlapFlags {
  skipDone?: boolean
  includeDone?: boolean
}

export function overlapLines(overlap: RunOverlap): string[] {
  const how = [overlap.succeeded ? `${overlap.succeeded} succeeded` : '', overlap.uncertain ? `${overlap.uncertain} uncertain (may have run)` : '']
    .filter(Boolean)
    .join(', ')
  // Two lines, so neither wraps at 80 columns.
  const lines = [`Warning: ${overlap.rows} of these rows were already sent by a recent run`, `of this trigger on this portal (${how}):`]
  for (const run of overlap.runs.slice(0, 5)) lines.push(`  run ${run.id} (${run.sourceName}, ${run.createdAt.replace('T', ' ').slice(0, 16)} UTC): ${run.rows} row(s)`)
  if (overlap.runs.length > 5) lines.push(`  and ${overlap.runs.length - 5} more run(s)`)
  return lines
}

/** Decides what to do with the rows already done. */
export async function chooseOverlap(
  overlap: RunOverlap,
  flags: OverlapFlags,
  out: Output,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin
): Promise<OverlapChoice> {
  if (flags.skipDone && flags.includeDone) throw usageError('Give either --skip-done or --include-done, not both.')
  for (const line of overlapLines(overlap)) out.error(line)
  if (flags.skipDone) return 'skip'
  if (flags.includeDone) return 'include'
  if (!stdin.isTTY || out.json) {
    throw usageError(
      'Nothing was sent. Add --skip-done to send only the other rows, or --include-done to send all of them again ' +
        '(their triggers fire a second time).'
    )
  }
  const answer = await ask(`Skip the ${overlap.rows} row(s) already sent? [Y/n] `, stdin, out.stderr)
  return /^\s*(n|no|н|нет)\s*$/i.test(answer) ? 'include' : 'skip'
}

function ask(question: string, stdin: NodeJS.ReadableStream, prompts: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stdin, output: prompts, terminal: true })
    rl.on('SIGINT', () => {
      rl.close()
      prompts.write('\n')
      reject(interrupted())
    })
    rl.question(question, (answer) => {
      rl.close()
      resolve(answer)
    })
  })
}
