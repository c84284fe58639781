// startSandbox(): a local Bitrix24 portal on 127.0.0.1 for tests, benchmarks and demos.
// The public API is described in ./types.ts.
import { launch } from './portal'
import type { Sandbox, SandboxOptions } from './types'

export type { Sandbox, SandboxOptions, SandboxItem, SandboxTokenPair, LedgerEntry, FaultRule } from './types'
export { SEED_TRIGGERS } from './seed'

export async function startSandbox(options?: SandboxOptions): Promise<Sandbox> {
  return (await launch(options)).sandbox
}
