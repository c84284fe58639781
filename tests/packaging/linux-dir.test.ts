// `electron-builder --linux dir` with a stand-in Electron distribution (`electronDist`): the real
// one comes from GitHub, which CI cannot reach. The stand-in is an `electron` file carrying
// Electron's fuse sentinel and a fuse wire in Electron's default state, so electron-builder's
// fuse step (@electron/fuses, which only searches the file for the sentinel) really flips it and
// the test reads the result back. Everything else is electron-builder's real packaging: the
// files allow-list, the asar, native-module unpacking, dependency collection.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const asar = require('@electron/asar') as { listPackage(archive: string, options?: object): string[] }

const repo = resolve(__dirname, '../..')
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
// @electron/fuses V1 order; Electron ships with: runAsNode on, cookie encryption off, NODE_OPTIONS
// on, --inspect on, asar integrity off, only-load-from-asar off, browser V8 snapshot off,
// file:// extra privileges on.
const FUSES = ['runAsNode', 'cookieEncryption', 'nodeOptions', 'nodeCliInspect', 'asarIntegrity', 'onlyLoadAppFromAsar', 'browserV8Snapshot', 'fileProtocolPrivileges'] as const
const ELECTRON_DEFAULT = '10110001'

let work: string
let appDir: string
let files: string[]

beforeAll(() => {
  if (!existsSync(join(repo, 'out/main/index.js')) || !existsSync(join(repo, 'out/renderer/index.html'))) {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: repo, stdio: 'inherit' })
  }
  work = mkdtempSync(join(tmpdir(), 'b24tr-pack-'))
  const dist = join(work, 'electron-dist')
  mkdirSync(join(dist, 'resources'), { recursive: true })
  const wire = Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(SENTINEL), Buffer.from([1, FUSES.length]), Buffer.from(ELECTRON_DEFAULT), Buffer.from('\n')])
  writeFileSync(join(dist, 'electron'), wire, { mode: 0o755 })
  writeFileSync(join(dist, 'chrome-sandbox'), '', { mode: 0o755 })
  writeFileSync(join(dist, 'LICENSE'), 'stand-in')
  execFileSync(
    join(repo, 'node_modules/.bin/electron-builder'),
    ['--linux', 'dir', '--publish', 'never', `-c.electronDist=${dist}`, `-c.directories.output=${join(work, 'release')}`],
    { cwd: repo, stdio: 'pipe', env: { ...process.env, CI: '1' } }
  )
  appDir = join(work, 'release', 'linux-unpacked')
  files = asar.listPackage(join(appDir, 'resources', 'app.asar'), { isPack: false }).map((f) => f.replace(/\\/g, '/'))
}, 150_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

function fuseWire(): string {
  const bin = readFileSync(join(appDir, 'b24-trigger-runner'))
  const at = bin.indexOf(SENTINEL) + SENTINEL.length
  expect(bin[at], 'fuse wire version').toBe(1)
  return bin.subarray(at + 2, at + 2 + bin[at + 1]!).toString('latin1')
}

describe('the unpacked Linux app', () => {
  it('ships the build output: main, preload and renderer, without source maps', () => {
    for (const f of ['/out/main/index.js', '/out/main/cli.js', '/out/preload/index.js', '/out/renderer/index.html', '/package.json', '/resources/icon.png']) {
      expect(files, f).toContain(f)
    }
    expect(files.filter((f) => f.startsWith('/out/renderer/assets/') && f.endsWith('.js')).length).toBeGreaterThan(0)
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
  })

  it('ships no sources, tests or configuration', () => {
    const top = new Set(files.map((f) => f.split('/')[1]))
    expect([...top].sort()).toEqual(['bin', 'node_modules', 'out', 'package.json', 'resources'])
    expect(files.filter((f) => /\.(ts|vue|mts)$/.test(f) && !f.endsWith('.d.ts'))).toEqual([])
  })

  it('ships keytar and no dev package', () => {
    const packages = new Set(files.filter((f) => /^\/node_modules\/(@[^/]+\/)?[^/]+$/.test(f)).map((f) => f.slice('/node_modules/'.length)))
    packages.delete('@github') // a scope folder, not a package
    expect([...packages].sort()).toEqual(['keytar'])
  })

  it("unpacks keytar's native binary from the asar, where it can be loaded", () => {
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', 'keytar', 'prebuilds', `${process.platform}-${process.arch}`, 'keytar.node')
    expect(existsSync(unpacked)).toBe(true)
    // keytar's loader looks there relative to lib/, which stays in the asar.
    expect(files).toContain('/node_modules/keytar/lib/keytar.js')
    const inside = readdirSync(join(appDir, 'resources')).sort()
    expect(inside).toEqual(['app.asar', 'app.asar.unpacked'])
  })

  it('loads keytar with require, which reads inside app.asar, not with import()', () => {
    const bundles = readdirSync(join(repo, 'out/main'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))
    const code = bundles.map((f) => readFileSync(join(repo, 'out/main', f), 'utf8')).join('\n')
    expect(code).toMatch(/createRequire.*\(["']keytar["']\)/)
    expect(code).not.toMatch(/import\(["']keytar["']\)/)
  })

  it('flips the Electron fuses: no run-as-Node, no NODE_OPTIONS, no --inspect, encrypted cookies, asar only', () => {
    const wire = fuseWire()
    const state = Object.fromEntries(FUSES.map((name, i) => [name, wire[i]]))
    expect(state).toEqual({
      runAsNode: '0',
      cookieEncryption: '1',
      nodeOptions: '0',
      nodeCliInspect: '0',
      asarIntegrity: '1',
      onlyLoadAppFromAsar: '1',
      browserV8Snapshot: '0',
      fileProtocolPrivileges: '0'
    })
  })

  it('names the executable and keeps the sandbox helper', () => {
    expect(existsSync(join(appDir, 'b24-trigger-runner'))).toBe(true)
    expect(existsSync(join(appDir, 'chrome-sandbox'))).toBe(true)
  })
})
