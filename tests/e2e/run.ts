// End-to-end tests (DESIGN.md, Testing): the built renderer in Debian's Chromium, talking through
// the real preload to the real IPC handlers, core, keychain and the sandbox portal. Only the
// Electron window is replaced. Run inside a throwaway keyring:
//   bash tests/with-keyring.sh npx tsx tests/e2e/run.ts
// Environment: E2E_SKIP_BUILD=1 reuses out/; E2E_ONLY=<regex> runs matching scenarios;
// E2E_HEADED=1 shows the browser (needs a display).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { IpcResult } from '../../electron/shared/ipc'
import { startSandbox } from '../../sandbox'
import { forgetSecrets, startMainProcess, type DialogScript, type MainProcess } from './lib/app'
import { installBridge } from './lib/bridge'
import { E2E_DIR, SCREENSHOT_DIR, runScenarios, type World } from './lib/harness'
import { serveDirectory } from './lib/static-server'
import './scenarios'

const ROOT = join(E2E_DIR, '..', '..')
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium'

function build(): void {
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) return
  console.log('building with electron-vite…')
  const result = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  if (result.status !== 0) throw new Error(`electron-vite build failed (exit ${result.status})`)
}

async function main(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    console.error(`Chromium not found at ${CHROMIUM}: apt-get update && apt-get install -y chromium`)
    return 2
  }
  build()
  const dataDir = mkdtempSync(join(tmpdir(), 'b24tr-e2e-'))
  const exportDir = join(dataDir, '..', `${dataDir.split('/').pop()}-exports`)
  mkdirSync(exportDir, { recursive: true })
  mkdirSync(SCREENSHOT_DIR, { recursive: true })

  const sandbox = await startSandbox()
  const server = await serveDirectory(join(ROOT, 'out', 'renderer'))
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.E2E_HEADED !== '1',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']
  })
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'en-US', colorScheme: 'light' })
  const page = await context.newPage()
  page.on('pageerror', (err) => console.log(`      [page error] ${err.message}`))

  const dialogs: DialogScript = { openCsv: [], exportDir, saved: [] }
  const start = (): MainProcess => startMainProcess({ dataDir, appUrl: server.url, page: () => page, dialogs })
  let current = start()
  await current.wiring.ready

  await installBridge(page, join(ROOT, 'out', 'preload', 'index.js'), () => current.handlers)

  const world: World = {
    browser,
    page,
    sandbox,
    baseUrl: server.url,
    dataDir,
    dialogs,
    main: () => current,
    async restartMain() {
      await current.wiring.close()
      current = start()
      await current.wiring.ready
      await page.reload()
    },
    async invoke<T>(channel: string, ...args: unknown[]): Promise<T> {
      const handler = current.handlers.get(channel)
      if (!handler) throw new Error(`no handler for ${channel}`)
      const result = (await handler({ senderFrame: { url: server.url, isMainFrame: true } }, ...args)) as IpcResult<T>
      if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
      return result.data
    },
    shared: new Map(),
    async screenshot(name, target) {
      const path = join(SCREENSHOT_DIR, `${name}.png`)
      // Let transitions and fonts settle: a screenshot is for people to look at.
      await page.evaluate('document.fonts.ready')
      await page.waitForTimeout(300)
      if (target) await target.screenshot({ path })
      else await page.screenshot({ path })
      return path
    }
  }

  await page.goto(server.url)
  let result: { passed: number; failed: number }
  try {
    result = await runScenarios(world, process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : undefined)
  } finally {
    await browser.close().catch(() => undefined)
    await forgetSecrets(current, dataDir)
    await current.wiring.close().catch(() => undefined)
    await server.close()
    await sandbox.close()
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(exportDir, { recursive: true, force: true })
  }
  console.log(`${result.passed} passed, ${result.failed} failed`)
  return result.failed === 0 && result.passed > 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
)
