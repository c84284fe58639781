// On a terminal, `profiles add` asks for the secret without echoing it. `script` provides the
// pseudo-terminal an interactive shell would.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { hasScript } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'


let f: CliFixture

beforeAll(async () => {
  f = await cliFixture()
})
afterAll(async () => {
  await f.teardown()
})

it.skipIf(!hasScript)('asks for the webhook URL on the terminal without echoing it', async () => {
  const secret = f.sandbox.adminWebhookUrl.split('/')[5] ?? ''
  expect(secret.length).toBeGreaterThan(5)
  const child = spawn('script', ['-qefc', 'node bin/b24-triggers.js profiles add --name typed --kind webhook', '/dev/null'], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, B24TR_DATA_DIR: f.dataDir },
    stdio: 'pipe'
  })
  let screen = ''
  const prompted = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk
      if (screen.includes('Webhook URL:')) resolve()
    })
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  await prompted
  // Typed after the prompt, as a person would, then Enter.
  child.stdin.write(f.sandbox.adminWebhookUrl + '\r')
  expect(await exited).toBe(0)
  expect(screen).toContain('Added profile "typed"')
  expect(screen).not.toContain(secret)
  const listed = await f.cli(['profiles', 'list'])
  expect(listed.stdout).toMatch(/typed\s+webhook/)
})
