// A run paused because the sign-in was revoked (invalid_grant) is not stranded: `profiles signin`
// signs the same profile in again (browser sign-in through a loopback redirect, or a pasted token
// pair), keeping its id, and `runs resume` then finishes the run, every row run once.
import { createServer } from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture
let port = 0

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: p } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return p
}

beforeAll(async () => {
  port = await freePort()
  // The app's handler URL, as the admin sets it for the terminal sign-in.
  f = await cliFixture({ redirectUri: `http://127.0.0.1:${port}/` })
  await f.addAppProfile('app')
})
afterAll(async () => {
  await f.teardown()
})

async function profileIds(): Promise<string[]> {
  const listed = await f.cli(['--json', 'profiles', 'list'])
  return ((jsonLines(listed.stdout)[0] as { profiles: { id: string }[] }).profiles ?? []).map((p) => p.id)
}

function executions(code: string): Map<number, number> {
  const counts = new Map<number, number>()
  for (const e of f.sandbox.ledger()) if (e.code === code) counts.set(e.ownerId, (counts.get(e.ownerId) ?? 0) + 1)
  return counts
}

/** Starts a run of `rows` deals and revokes the sign-in once the portal has run some. */
async function runThatLosesItsSignIn(from: number, rows: number): Promise<string> {
  f.sandbox.generateItems(2, from, rows, 'NEW')
  f.sandbox.setTriggerCost('deal_won', 10)
  const path = join(f.dataDir, `ids-${from}.csv`)
  await writeFile(path, ['Deal ID', ...Array.from({ length: rows }, (_, i) => String(from + i))].join('\n') + '\n')
  const running = f.start(['run', '--profile', 'app', '--csv', path, '--code', 'deal_won', '--owner-type', 'deal'])
  await running.waitFor(/Run \S+ started/)
  while (![...executions('deal_won').keys()].some((id) => id >= from)) await new Promise((r) => setTimeout(r, 10))
  // The admin revoked the app's access: the next renewal answers invalid_grant.
  f.sandbox.revokeRefreshTokens()
  f.sandbox.expireAccessTokens()
  const r = await running.done
  f.sandbox.setTriggerCost('deal_won', 0)
  expect(r.code, r.stdout + r.stderr).toBe(3)
  expect(r.stdout).toContain('The saved sign-in is no longer valid')
  expect(r.stdout).toContain('Sign in again, keeping the profile: b24-triggers profiles signin "app"')
  const id = /resume with: b24-triggers runs resume (\S+)/.exec(r.stdout)?.[1]
  expect(id).toBeDefined()
  return id as string
}

async function resumeAndCheck(id: string, from: number, rows: number): Promise<void> {
  const resumed = await f.cli(['--json', 'runs', 'resume', id])
  expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
  const summary = jsonLines(resumed.stdout).find((x) => x.type === 'summary') as { run: { counts: Record<string, number> } }
  expect(summary.run.counts).toMatchObject({ succeeded: rows, pending: 0, uncertain: 0, failed: 0 })
  const ran = [...executions('deal_won').entries()].filter(([owner]) => owner >= from && owner < from + rows)
  expect(ran).toHaveLength(rows)
  expect(ran.every(([, n]) => n === 1)).toBe(true)
}

describe('profiles signin', () => {
  it('browser sign-in through the loopback redirect keeps the profile id; the paused run resumes and finishes', async () => {
    const ids = await profileIds()
    const id = await runThatLosesItsSignIn(5000, 300)

    const signin = f.start(['profiles', 'signin', 'app', '--port', String(port), '--no-open', '--timeout', '30'])
    await signin.waitFor(/Sign in here: \S+/)
    // The URL from the terminal, opened as a browser would: the portal redirects to the listener.
    const printed = /Sign in here: (\S+)/.exec(signin.output())?.[1] ?? ''
    expect(printed).toContain(`${f.sandbox.url}/oauth/authorize/`)
    // An answer that does not carry our state is refused, and the command keeps waiting.
    const forged = await fetch(`http://127.0.0.1:${port}/?code=stolen&state=not-ours`)
    expect(forged.status).toBe(400)
    const authorize = await fetch(printed, { redirect: 'manual' })
    expect(authorize.status).toBe(302)
    const back = authorize.headers.get('location') ?? ''
    expect(back.startsWith(`http://127.0.0.1:${port}/?code=`)).toBe(true)
    const landing = await fetch(back)
    expect(landing.status).toBe(200)
    expect(await landing.text()).toContain('Signed in')
    const done = await signin.done
    expect(done.code, done.stdout + done.stderr).toBe(0)
    expect(done.stdout).toContain('Signed in profile "app" again')
    // The paused run is named, ready to paste.
    expect(done.stdout).toContain(`b24-triggers runs resume ${id}`)
    expect(await profileIds()).toEqual(ids)

    await resumeAndCheck(id, 5000, 300)
  })

  it('a pasted token pair (stdin) also keeps the profile id; the paused run resumes and finishes', async () => {
    const ids = await profileIds()
    const id = await runThatLosesItsSignIn(6000, 300)
    const pair = f.sandbox.issueTokens()
    const r = await f.cli(['profiles', 'signin', 'app', '--tokens', '--secret-stdin'], `${pair.access_token}\n${pair.refresh_token}\n`)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).not.toContain(pair.refresh_token)
    expect(r.stdout).toContain(`Resume its paused run with: b24-triggers runs resume ${id}`)
    expect(await profileIds()).toEqual(ids)
    await resumeAndCheck(id, 6000, 300)
  })

  it('a webhook profile takes its new URL and keeps its id; bad options exit 2', async () => {
    const revoked = f.sandbox.adminWebhookUrl.replace(/\/rest\/1\/[^/]+\//, '/rest/1/notthesecret1/')
    // Added while good, then its secret goes stale (add refuses a webhook the portal refuses).
    await f.addWebhookProfile('hook')
    expect((await f.cli(['profiles', 'signin', 'hook', '--secret-stdin'], revoked + '\n')).code).toBe(0)
    const ids = await profileIds()
    expect((await f.cli(['profiles', 'test', 'hook'])).code).toBe(1)
    const r = await f.cli(['profiles', 'signin', 'hook', '--secret-stdin'], f.sandbox.adminWebhookUrl + '\n')
    expect(r.code, r.stderr).toBe(0)
    expect(await profileIds()).toEqual(ids)
    expect((await f.cli(['profiles', 'test', 'hook'])).code).toBe(0)
    const tokens = await f.cli(['profiles', 'signin', 'hook', '--tokens'])
    expect(tokens.code).toBe(2)
    expect(tokens.stderr).toContain('is a webhook profile')
    const badPort = await f.cli(['profiles', 'signin', 'app', '--port', 'x'])
    expect(badPort.code).toBe(2)
  })
})
