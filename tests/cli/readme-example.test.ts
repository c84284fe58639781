// The README's command-line example runs as written (issue 11, item 6): its lines are read from
// README.md and run in order through the built CLI against the sandbox, the webhook URL pasted
// on stdin where the example says to paste it.
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture
beforeAll(async () => {
  f = await cliFixture()
})
afterAll(async () => {
  await f.teardown()
})

/** The shell lines of the README's "Command line" block, comments cut off. */
function readmeLines(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')
  const block = /## Command line\n```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  if (!block) throw new Error('no "Command line" block in README.md')
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)
}

describe("README's command-line example", () => {
  it('runs as written against the sandbox', async () => {
    const lines = readmeLines()
    const cli = lines.filter((l) => l.startsWith('b24-triggers '))
    expect(cli.map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual(['profiles add', 'run --profile', 'runs list', 'runs resume'])
    // printf ... > deals.csv, as a shell would run it, in the data folder.
    const printf = lines.find((l) => l.startsWith('printf '))!
    execFileSync('bash', ['-c', printf], { cwd: f.dataDir })
    const argv = (line: string): string[] => (line.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).slice(1).map((a) => a.replace(/^['"]|['"]$/g, ''))

    const add = await f.cli([...argv(cli[0]!), '--secret-stdin'], f.sandbox.adminWebhookUrl + '\n')
    expect(add.code, add.stderr).toBe(0)
    const run = await f.cli(argv(cli[1]!).map((a) => (a === 'deals.csv' ? join(f.dataDir, 'deals.csv') : a)))
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/finished: 3 succeeded \(3 rows\)/)
    const list = await f.cli(argv(cli[2]!))
    expect(list.code).toBe(0)
    expect(list.stdout).toContain('webhook trigger wh_prep')
  })
})
