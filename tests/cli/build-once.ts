// The tests drive the real bundle, so it must be current: build once when out/main/cli.js is
// missing or older than any source it is bundled from (`npm test` has just built it, so then
// this is a no-op).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const bundle = join(root, 'out', 'main', 'cli.js')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

export default function setup(): void {
  // The CLI bundle is made from these folders only; a change elsewhere does not make it stale.
  const folders = ['cli', 'core', 'shared'].map((f) => newestSource(join(root, 'electron', f)))
  const sources = Math.max(...folders, statSync(join(root, 'package.json')).mtimeMs)
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return
  execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' })
}
