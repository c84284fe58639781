// The bench's portal, in a process of its own: the runner's CPU, GC pauses and memory must not
// leak into the portal's figures (an in-process GC pause would lengthen every trigger running at
// that moment and so the operating time the portal charges), nor the portal's into the runner's.
// Driven over the IPC channel by tests/bench/run.ts:
//   env BENCH_SANDBOX = JSON { options: SandboxOptions, deals, code }
//   → 'ready' {url, app, tokens}; 'ledger' → executions per owner id; 'stats'; 'close'.
import { startSandbox, type SandboxOptions } from '../../sandbox'
import type { SeedCrmOptions } from '../../sandbox/types'

interface Input {
  options: SandboxOptions
  deals: number
  code: string
  /** More items, with pipelines, stages and dates (tests/bench/crm-enumerate.ts). */
  crm?: SeedCrmOptions[]
}

type Request = { id: number; cmd: 'ledger' | 'stats' | 'close' }

async function main(): Promise<void> {
  const input = JSON.parse(process.env.BENCH_SANDBOX ?? '{}') as Input
  const sandbox = await startSandbox({ seedData: false, ...input.options })
  sandbox.generateItems(2, 1, input.deals, 'NEW')
  for (const seed of input.crm ?? []) sandbox.seedCrm(seed)
  sandbox.addAppTrigger(sandbox.app.clientId, input.code, 'Bench')
  sandbox.bindTrigger({ via: 'app', code: input.code, entityTypeId: 2, stageId: 'WON' })
  const send = (message: unknown): void => void process.send?.(message)
  send({ ready: { url: sandbox.url, app: sandbox.app, tokens: sandbox.issueTokens() } })
  process.on('message', (raw) => {
    const req = raw as Request
    if (req.cmd === 'ledger') {
      const counts: Record<number, number> = {}
      for (const e of sandbox.ledger()) counts[e.ownerId] = (counts[e.ownerId] ?? 0) + 1
      send({ id: req.id, result: counts })
    } else if (req.cmd === 'stats') {
      send({ id: req.id, result: sandbox.stats() })
    } else {
      void sandbox.close().then(() => {
        send({ id: req.id, result: null })
        process.exit(0)
      })
    }
  })
}

void main()
