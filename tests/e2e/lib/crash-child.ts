// A main process that dies mid-run: the recovery scenario spawns this script, which starts a run
// through the real registerIpc() over the test's data directory, and then kills it with SIGKILL
// once a batch is in flight. Nothing gets to close or flush: a real crash.
//   tsx tests/e2e/lib/crash-child.ts <dataDir> <request.json>
import { readFileSync } from 'node:fs'
import type { CreateRunRequest, IpcResult, RunSummaryView } from '../../../electron/shared/ipc'
import { registerIpc } from '../../../electron/main/ipc'
import { createKeytarSecretStore } from '../../../electron/core/profiles/secret-store'
import { E2E_KEYCHAIN_SERVICE } from './keychain'

type Listener = (event: unknown, ...args: unknown[]) => Promise<IpcResult<unknown>>

async function main(): Promise<void> {
  const [dataDir, requestFile] = process.argv.slice(2)
  if (!dataDir || !requestFile) throw new Error('usage: crash-child.ts <dataDir> <request.json>')
  const handlers = new Map<string, Listener>()
  registerIpc(
    { handle: (channel, fn) => void handlers.set(channel, fn) },
    {
      dataDir,
      secretStore: createKeytarSecretStore({ service: E2E_KEYCHAIN_SERVICE }),
      dialogs: { openCsv: async () => null, saveExport: async () => null },
      openAuthWindow: async () => {
        throw new Error('no sign-in here')
      },
      openExternal: async () => {},
      emit: () => {},
      appInfo: { version: 'e2e-crash', platform: process.platform, dataDir, locale: 'en' },
      isTrustedSender: () => true
    }
  )
  const call = async <T>(channel: string, ...args: unknown[]): Promise<T> => {
    const result = (await handlers.get(channel)!({}, ...args)) as IpcResult<T>
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
    return result.data
  }
  const request = JSON.parse(readFileSync(requestFile, 'utf8')) as CreateRunRequest
  const run = await call<RunSummaryView>('runs.create', request)
  await call('runs.start', run.id)
  // The parent reads this line, then kills the process when it sees a batch in flight.
  process.stdout.write(`started ${run.id}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
