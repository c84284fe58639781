// The main window and its session rules, against the thin recording Electron fake.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { electron, event, reset } from './fake-electron'
import { createMainWindow, hardenDefaultSession } from '../../../electron/main/window'
import { APP_URL } from '../../../electron/main/security'
import type { FakeBrowserWindow } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electron)

let dir: string
const warnings: string[] = []
const logger = { info() {}, warn: (m: string) => void warnings.push(m), error() {} }

beforeEach(() => {
  reset()
  warnings.length = 0
  dir = mkdtempSync(join(tmpdir(), 'b24tr-win-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function make(): FakeBrowserWindow {
  return createMainWindow({
    appUrl: APP_URL,
    preloadPath: '/app/out/preload/index.js',
    iconPath: join(dir, 'no-icon.png'),
    stateFile: join(dir, 'window-state.json'),
    logger
  }) as unknown as FakeBrowserWindow
}

describe('createMainWindow', () => {
  it('is isolated and sandboxed, hidden until ready-to-show', () => {
    const win = make()
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false
    })
    expect(win.options.show).toBe(false)
    expect(win.visible).toBe(false)
    win.emit('ready-to-show')
    expect(win.visible).toBe(true)
  })

  it('stays on the app: routes inside it pass, links go to the browser (https only)', () => {
    const win = make()
    const inside = event({ url: `${APP_URL}#/runs` })
    win.webContents.emit('will-navigate', inside)
    expect(inside.defaultPrevented).toBe(false)
    const link = event({ url: 'https://apidocs.bitrix24.com/' })
    win.webContents.emit('will-navigate', link)
    expect(link.defaultPrevented).toBe(true)
    expect(electron.shell.openExternal).toHaveBeenCalledExactlyOnceWith('https://apidocs.bitrix24.com/')
    const file = event({ url: 'file:///etc/passwd' })
    win.webContents.emit('will-navigate', file)
    expect(file.defaultPrevented).toBe(true)
    expect(electron.shell.openExternal).toHaveBeenCalledOnce()
    expect(warnings.some((w) => w.includes('file:///etc/passwd'))).toBe(true)
    const redirect = event({ url: 'https://evil.example/' })
    win.webContents.emit('will-redirect', redirect)
    expect(redirect.defaultPrevented).toBe(true)
  })

  it('opens no windows of its own and attaches no webviews', () => {
    const win = make()
    expect(win.webContents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://example.com/')
    const webview = event()
    win.webContents.emit('will-attach-webview', webview)
    expect(webview.defaultPrevented).toBe(true)
  })

  it('remembers its size and position on close', () => {
    const win = make()
    win.close()
    expect(JSON.parse(readFileSync(join(dir, 'window-state.json'), 'utf8'))).toMatchObject({ x: 10, y: 20, width: 1100, height: 760, maximized: false })
  })
})

describe('hardenDefaultSession', () => {
  it('denies permissions (the clipboard included) and downloads, and sends the CSP', () => {
    hardenDefaultSession(undefined)
    const ses = electron.session.defaultSession
    let granted: boolean | undefined
    ses.permissionRequestHandler!(null, 'clipboard-sanitized-write', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(ses.permissionCheckHandler!()).toBe(false)
    const dl = event()
    ses.emit('will-download', dl, {})
    expect(dl.defaultPrevented).toBe(true)
    let answer: { responseHeaders?: Record<string, string[]> } | undefined
    ses.headersListener!({ responseHeaders: { 'X-A': ['1'] } }, (r) => (answer = r as typeof answer))
    expect(answer!.responseHeaders!['Content-Security-Policy']![0]).toContain("script-src 'self'")
    expect(answer!.responseHeaders!['X-A']).toEqual(['1'])
  })
})
