// `npm start` / `npm run dev` on a fresh checkout: the Electron binary is fetched by the prestart
// step (Electron's own installer) instead of electron-vite dying on "Electron uninstall".
//
// Each test builds a throwaway project: the real package.json and scripts/, a copy of the small
// `electron` npm package (its installer writes into its own folder, so the shared node_modules is
// never touched) and links to the installer's dependencies. Downloads go to a loopback "mirror"
// (ELECTRON_MIRROR) that is either closed (no network) or serves a stand-in release zip, so the
// outcome is the same on a machine with internet access. Nothing here requires('electron').
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { crc32 } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'

const repo = resolve(__dirname, '../../..')
const electronPkg = join(repo, 'node_modules/electron')
const { version } = JSON.parse(readFileSync(join(electronPkg, 'package.json'), 'utf8')) as { version: string }
const zipName = `electron-v${version}-${process.platform}-${process.arch}.zip`

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()!()
})

function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'b24tr-fresh-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(join(repo, 'package.json'), join(dir, 'package.json'))
  cpSync(join(repo, 'scripts'), join(dir, 'scripts'), { recursive: true })
  const nm = join(dir, 'node_modules')
  mkdirSync(join(nm, 'electron'), { recursive: true })
  for (const f of ['package.json', 'install.js', 'index.js', 'checksums.json']) cpSync(join(electronPkg, f), join(nm, 'electron', f))
  // The installer's own imports; everything they import resolves from their real location.
  for (const scope of ['@electron', '@electron-internal']) symlinkSync(join(repo, 'node_modules', scope), join(nm, scope))
  return dir
}

interface Ran {
  code: number | null
  output: string
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, {
      cwd,
      env: {
        ...process.env,
        ...env,
        // A mirror set in the user's .npmrc would win over ELECTRON_MIRROR: pin both.
        ...(env.ELECTRON_MIRROR && { npm_config_electron_mirror: env.ELECTRON_MIRROR }),
        ELECTRON_OVERRIDE_DIST_PATH: '',
        electron_config_cache: join(cwd, '.electron-cache')
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (b: Buffer) => (output += b.toString()))
    child.stderr.on('data', (b: Buffer) => (output += b.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000)
    child.on('error', fail)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, output })
    })
  })
}

function listen(server: Server): Promise<string> {
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)))
}

/** A minimal stored (uncompressed) zip, enough for Electron's extractor. */
function storedZip(files: Record<string, { data: string; mode: number }>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, { data, mode }] of Object.entries(files)) {
    const body = Buffer.from(data)
    const fname = Buffer.from(name)
    const crc = crc32(body)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(body.length, 22)
    local.writeUInt16LE(fname.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(0x0314, 4) // made by Unix, so the mode in the external attributes counts
    central.writeUInt16LE(20, 6)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(body.length, 24)
    central.writeUInt16LE(fname.length, 28)
    central.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    locals.push(local, fname, body)
    centrals.push(central, fname)
    offset += local.length + fname.length + body.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(files).length, 8)
  end.writeUInt16LE(Object.keys(files).length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

describe('package.json', () => {
  it('fetches Electron before start and dev, and never at install time (npm ci stays offline)', () => {
    const { scripts } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(scripts.prestart).toBe('node scripts/ensure-electron.mjs')
    expect(scripts.predev).toBe('node scripts/ensure-electron.mjs')
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'pretest', 'prebuild']) {
      expect(scripts[hook] ?? '', hook).not.toMatch(/electron\/install|ensure-electron|install-electron/)
    }
  })
})

describe('npm start on a checkout without the Electron binary', () => {
  it('stops at fetching Electron, with a clear message, not at "Electron uninstall"', async () => {
    const dir = makeProject()
    // A closed port: the download fails at once, as it does without network.
    const closed = createServer()
    const mirror = await listen(closed)
    await new Promise((ok) => closed.close(ok))

    const ran = await run('npm', ['start', '--silent'], dir, { ELECTRON_MIRROR: mirror })

    expect(ran.code, ran.output).not.toBe(0)
    expect(ran.output).toContain(`Could not download the Electron ${version} binary`)
    expect(ran.output).toContain('ELECTRON_MIRROR')
    expect(ran.output).not.toMatch(/Electron uninstall/)
    // npm stopped after the failed prestart: electron-vite never ran.
    expect(ran.output).not.toMatch(/electron-vite/)
    expect(existsSync(join(dir, 'node_modules/electron/path.txt'))).toBe(false)
  }, 60_000)

  it('fetches and unpacks the binary when it can, leaving what electron-vite reads (path.txt)', async () => {
    const dir = makeProject()
    const zip = storedZip({
      electron: { data: '#!/bin/sh\necho stand-in electron\n', mode: 0o755 },
      version: { data: `v${version}`, mode: 0o644 }
    })
    const sums = `${createHash('sha256').update(zip).digest('hex')} *${zipName}\n`
    const served: string[] = []
    const server = createServer((req, res) => {
      served.push(req.url ?? '')
      if (req.url === `/v${version}/${zipName}`) res.end(zip)
      else if (req.url === `/v${version}/SHASUMS256.txt`) res.end(sums)
      else res.writeHead(404).end()
    })
    const mirror = await listen(server)
    cleanups.push(() => server.close())

    const env = { ELECTRON_MIRROR: mirror, electron_use_remote_checksums: '1' }
    const first = await run('npm', ['run', 'prestart', '--silent'], dir, env)
    expect(first.code, first.output).toBe(0)
    expect(served).toContain(`/v${version}/${zipName}`)
    const electronDir = join(dir, 'node_modules/electron')
    const exe = readFileSync(join(electronDir, 'path.txt'), 'utf8')
    expect(existsSync(join(electronDir, 'dist', exe))).toBe(true)

    // Second start: already installed, nothing downloaded again.
    served.length = 0
    const second = await run('npm', ['run', 'prestart', '--silent'], dir, env)
    expect(second.code, second.output).toBe(0)
    expect(served).toEqual([])
  }, 60_000)
})
