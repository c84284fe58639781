// The world every scenario sees, and the little runner that executes them in order. Scenarios
// build on each other (a portal added in one is used by the next), so they share one page, one
// sandbox and one data directory; a failure is reported and the next scenario still runs.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import type { Sandbox } from '../../../sandbox'
import type { DialogScript, MainProcess } from './app'

export const E2E_DIR = join(__dirname, '..')
export const SCREENSHOT_DIR = join(E2E_DIR, 'artifacts', 'screenshots')
/** Failure screenshots; gitignored. */
export const FAILURE_DIR = join(E2E_DIR, 'artifacts', 'tmp')
export const FIXTURE_DIR = join(E2E_DIR, 'fixtures')

export interface World {
  browser: Browser
  page: Page
  sandbox: Sandbox
  baseUrl: string
  dataDir: string
  dialogs: DialogScript
  /** The main process currently answering the page. */
  main(): MainProcess
  /** Closes the main process and starts a new one over the same data directory; the page is
   * reloaded, as on an app restart. */
  restartMain(): Promise<void>
  /** Calls a handler as the app's page would, for checks behind the UI's back; throws on {ok:false}. */
  invoke<T = unknown>(channel: string, ...args: unknown[]): Promise<T>
  /** Values scenarios hand to later ones (profile ids...). */
  shared: Map<string, string>
  /** Saves a screenshot under artifacts/screenshots/<name>.png. */
  screenshot(name: string, target?: Locator): Promise<string>
}

export interface Scenario {
  name: string
  run(world: World): Promise<void>
}

export const scenarios: Scenario[] = []

export function scenario(name: string, run: (world: World) => Promise<void>): void {
  scenarios.push({ name, run })
}

export async function runScenarios(world: World, only?: RegExp): Promise<{ passed: number; failed: number }> {
  mkdirSync(FAILURE_DIR, { recursive: true })
  let passed = 0
  let failed = 0
  for (const s of scenarios) {
    if (only && !only.test(s.name)) continue
    const started = Date.now()
    try {
      await s.run(world)
      passed++
      console.log(`PASS  ${s.name} (${Date.now() - started} ms)`)
    } catch (err) {
      failed++
      const file = join(FAILURE_DIR, `${s.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`)
      await world.page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
      console.log(`FAIL  ${s.name} (${Date.now() - started} ms)`)
      console.log(`      ${(err instanceof Error ? err.stack ?? err.message : String(err)).split('\n').slice(0, 8).join('\n      ')}`)
      console.log(`      screenshot: ${file}`)
    }
  }
  return { passed, failed }
}
