// One of many processes racing for the same run locks (tests/unit/runs/lock-race.test.ts).
// argv: <json {dirs: string[], holdMs: number}>. Prints "ready" once loaded, then reads one line
// from stdin: the start times (ms) per trial. For trial i it waits until startAt[i], tries to
// take the lock in dirs[i], holds it holdMs if it won, and prints one JSON line:
// {trial, won, tried, from?, to?, error?} (times in ms).
import { createInterface } from 'node:readline'
import { takeRunLock } from '../../../../electron/core/runs/run-lock'

interface Input {
  dirs: string[]
  holdMs: number
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input

async function main(): Promise<void> {
  process.stdout.write('ready\n')
  const lines = createInterface({ input: process.stdin })
  const [first] = await new Promise<string[]>((resolve) => lines.once('line', (l) => resolve([l])))
  lines.close()
  const startAt = JSON.parse(first ?? '[]') as number[]
  for (let i = 0; i < input.dirs.length; i++) {
    const wait = (startAt[i] as number) - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const tried = Date.now()
    try {
      const release = await takeRunLock(input.dirs[i] as string, `trial-${i}`)
      const from = Date.now()
      await new Promise((resolve) => setTimeout(resolve, input.holdMs))
      const to = Date.now()
      await release()
      process.stdout.write(JSON.stringify({ trial: i, won: true, tried, from, to }) + '\n')
    } catch (err) {
      const code = (err as { code?: string }).code
      process.stdout.write(JSON.stringify({ trial: i, won: false, tried, ...(code !== 'RUN_LOCKED' && { error: String(err) }) }) + '\n')
    }
  }
}

void main()
