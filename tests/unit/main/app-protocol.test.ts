// app://renderer/ serves the renderer's build folder and nothing else. The handler is exercised
// with real files in a temp folder and real fetch Requests; Electron's `protocol` is the thin
// recording fake.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { electron, reset } from './fake-electron'
import { APP_URL, handleAppProtocol, registerAppScheme, resolveAppPath, serveAppRequest } from '../../../electron/main/app-protocol'
import { contentSecurityPolicy } from '../../../electron/main/security'

vi.mock('electron', async () => (await import('./fake-electron')).electron)

let base: string
let root: string
const csp = contentSecurityPolicy()

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'b24tr-proto-'))
  // An install path with the characters that broke the file:// comparison.
  root = join(base, 'App ~[1] 100%', 'out', 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>')
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets', 'a b.css'), 'body{}')
  writeFileSync(join(base, 'secret.txt'), 'outside the renderer folder')
  writeFileSync(join(root, '..', 'sibling.txt'), 'next to the renderer folder')
})
afterAll(() => rmSync(base, { recursive: true, force: true }))
beforeEach(reset)

describe('resolveAppPath', () => {
  it('maps app://renderer/ paths into the folder, / to index.html', () => {
    expect(resolveAppPath(APP_URL, root)).toBe(join(root, 'index.html'))
    expect(resolveAppPath('app://renderer/', root)).toBe(join(root, 'index.html'))
    expect(resolveAppPath('app://renderer/assets/a%20b.css', root)).toBe(join(root, 'assets', 'a b.css'))
    expect(resolveAppPath('app://renderer/index.html?x=1#/runs', root)).toBe(join(root, 'index.html'))
  })

  it('refuses everything that leaves the folder or is not ours', () => {
    for (const bad of [
      'app://renderer/../secret.txt',
      'app://renderer/%2e%2e/sibling.txt',
      'app://renderer/assets/%2E%2E%2F%2E%2E%2Fsibling.txt',
      'app://renderer/..%2fsibling.txt',
      'app://renderer/..%5csibling.txt',
      'app://renderer/%00index.html',
      'app://renderer/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
      'https://renderer/index.html',
      'not a url'
    ]) {
      const got = resolveAppPath(bad, root)
      expect(got === undefined || (got.startsWith(root) && !got.includes('..')), `${bad} -> ${got}`).toBe(true)
    }
    expect(resolveAppPath('app://renderer/..%2fsibling.txt', root)).toBeUndefined()
  })
})

describe('serveAppRequest', () => {
  it('serves a file with its type and the CSP', async () => {
    const res = await serveAppRequest(new Request('app://renderer/assets/index-abc.js'), root, csp)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(res.headers.get('content-security-policy')).toBe(csp)
    expect(await res.text()).toBe('console.log(1)')
    const page = await serveAppRequest(new Request(APP_URL), root, csp)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('answers 404 outside the folder, for missing files, folders and writes', async () => {
    for (const url of ['app://renderer/%2e%2e/sibling.txt', 'app://renderer/nope.js', 'app://renderer/assets/']) {
      const res = await serveAppRequest(new Request(url), root, csp)
      expect(res.status, url).toBe(404)
      expect(await res.text()).not.toContain('next to the renderer')
    }
    const post = await serveAppRequest(new Request(APP_URL, { method: 'POST', body: 'x' }), root, csp)
    expect(post.status).toBe(404)
  })
})

describe('registration with Electron', () => {
  it('declares app:// standard and secure, without bypassing the CSP', () => {
    registerAppScheme()
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledExactlyOnceWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }
    ])
  })

  it('handles app:// with the folder it was given', async () => {
    handleAppProtocol(root, csp)
    const handler = electron.protocol.handlers.get('app')!
    expect(handler).toBeTypeOf('function')
    const res = await handler(new Request(APP_URL))
    expect(await res.text()).toContain('<title>app</title>')
    expect((await handler(new Request('app://renderer/../secret.txt'))).status).toBe(404)
  })
})
