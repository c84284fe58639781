// A run in its own process, to be killed with SIGKILL by tests/crash/crash.test.ts.
// Input (env CRASH_CHILD, JSON): { dataDir, runId, credentials, kill? }
//   kill: { at: 'before-intent' | 'after-intent', batch: n }  the process kills itself there
//   (no kill: the parent kills it from outside, e.g. mid-batch)
// Output: "started" once the run is under way, then "batch <n>" per intent written.
import { createBitrixClient } from '../../electron/core/bitrix'
import type { Credentials } from '../../electron/core/bitrix/types'
import { createRunManager } from '../../electron/core/runs'

interface ChildInput {
  dataDir: string
  runId: string
  credentials: Credentials
  kill?: { at: 'before-intent' | 'after-intent'; batch: number }
}

const input = JSON.parse(process.env.CRASH_CHILD ?? '{}') as ChildInput

function die(at: string, batch: number): void {
  if (input.kill?.at === at && input.kill.batch === batch) process.kill(process.pid, 'SIGKILL')
}

async function main(): Promise<void> {
  const runs = createRunManager({
    dataDir: input.dataDir,
    clientFor: () => createBitrixClient({ credentials: input.credentials }),
    hooks: {
      beforeIntent: (batch) => die('before-intent', batch),
      afterIntent: (batch) => {
        process.stdout.write(`batch ${batch}\n`)
        die('after-intent', batch)
      }
    }
  })
  const { done } = await runs.start(input.runId)
  process.stdout.write('started\n')
  await done
  process.stdout.write('done\n')
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
