// The sign-in window: where it is (title), where it may go, what it refuses, and how it ends.
// Electron is the thin recording fake; a test fires the events Chromium would.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { electron, event, FakeBrowserWindow, flush, reset } from './fake-electron'
import { isSignInPage, openAuthWindow, signInTitle } from '../../../electron/main/auth-window'
import { SignInCancelledError, SignInFailedError } from '../../../electron/main/ipc/sign-in'

vi.mock('electron', async () => (await import('./fake-electron')).electron)

const AUTHORIZE = 'https://acme.bitrix24.ru/oauth/authorize/?client_id=local.1&state=s1'
const CALLBACK = 'http://127.0.0.1/b24-trigger-runner/callback?code=c0de&state=s1'
const isCallback = (url: string): boolean => url.startsWith('http://127.0.0.1/b24-trigger-runner/callback')

beforeEach(reset)

function open(): { win: FakeBrowserWindow; result: Promise<string>; settled: () => string } {
  const result = openAuthWindow(AUTHORIZE, isCallback)
  let state = 'pending'
  result.then(
    () => (state = 'resolved'),
    (e: Error) => (state = e.name)
  )
  const win = FakeBrowserWindow.all.at(-1)!
  return { win, result, settled: () => state }
}

describe('isSignInPage', () => {
  it('allows the portal and the Bitrix24 sign-in servers only', () => {
    expect(isSignInPage('https://acme.bitrix24.ru/auth/?x=1', AUTHORIZE)).toBe(true)
    expect(isSignInPage('https://oauth.bitrix.info/oauth/authorize/', AUTHORIZE)).toBe(true)
    expect(isSignInPage('https://auth2.bitrix24.net/oauth/', AUTHORIZE)).toBe(true)
    for (const bad of ['https://evil.example/', 'http://acme.bitrix24.ru/', 'https://acme.bitrix24.ru.evil.example/', 'http://oauth.bitrix.info/', 'https://notbitrix24.net/', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(isSignInPage(bad, AUTHORIZE), bad).toBe(false)
    }
  })
  it('names the host in the title, in the system language', () => {
    expect(signInTitle(AUTHORIZE)).toBe('Sign in to Bitrix24 — acme.bitrix24.ru')
    electron.app.locale = 'ru-RU'
    expect(signInTitle(AUTHORIZE)).toBe('Вход в Битрикс24 — acme.bitrix24.ru')
  })
})

describe('openAuthWindow', () => {
  it('opens sandboxed, in its own session, titled with the portal host', () => {
    const { win } = open()
    expect(win.loaded).toEqual([AUTHORIZE])
    expect(win.title).toBe('Sign in to Bitrix24 — acme.bitrix24.ru')
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false })
    expect(win.webContents.session).not.toBe(electron.session.defaultSession)
    expect(win.options.webPreferences).not.toHaveProperty('preload')
  })

  it('keeps its title: the page cannot change it; it follows the host on screen', () => {
    const { win } = open()
    const titleEvent = event()
    win.emit('page-title-updated', titleEvent, 'Totally your bank')
    expect(titleEvent.defaultPrevented).toBe(true)
    win.webContents.emit('did-navigate', event(), 'https://auth2.bitrix24.net/login/', 200)
    expect(win.title).toBe('Sign in to Bitrix24 — auth2.bitrix24.net')
  })

  it('resolves with the callback, cancelling that navigation, and closes', async () => {
    const { win, result } = open()
    const nav = event({ url: CALLBACK })
    win.webContents.emit('will-redirect', nav)
    expect(nav.defaultPrevented).toBe(true)
    await expect(result).resolves.toBe(CALLBACK)
    expect(win.isDestroyed()).toBe(true)
  })

  it('stays on the portal and the sign-in servers', async () => {
    const { win, settled } = open()
    const away = event({ url: 'https://evil.example/phish' })
    win.webContents.emit('will-navigate', away)
    expect(away.defaultPrevented).toBe(true)
    const login = event({ url: 'https://acme.bitrix24.ru/auth/' })
    win.webContents.emit('will-navigate', login)
    expect(login.defaultPrevented).toBe(false)
    expect(win.webContents.windowOpenHandler!({ url: 'https://acme.bitrix24.ru/x' })).toEqual({ action: 'deny' })
    await flush()
    expect(settled()).toBe('pending')
  })

  it('a redirect off the sign-in servers is stopped and reported, not left hanging', async () => {
    const { win, result } = open()
    const inside = event({ url: 'https://oauth.bitrix.info/oauth/authorize/?x' })
    win.webContents.emit('will-redirect', inside)
    expect(inside.defaultPrevented).toBe(false)
    const redirect = event({ url: 'https://evil.example/' })
    win.webContents.emit('will-redirect', redirect)
    expect(redirect.defaultPrevented).toBe(true)
    await expect(result).rejects.toBeInstanceOf(SignInFailedError)
    await expect(result).rejects.toThrow(/sent the window to evil\.example, outside acme\.bitrix24\.ru/)
    expect(win.isDestroyed()).toBe(true)
  })

  it('refuses downloads and permissions', () => {
    const { win } = open()
    const ses = win.webContents.session
    const dl = event()
    ses.emit('will-download', dl, {})
    expect(dl.defaultPrevented).toBe(true)
    let granted: boolean | undefined
    ses.permissionRequestHandler!(null, 'notifications', (ok) => (granted = ok))
    expect(granted).toBe(false)
  })

  it('a page that does not load is reported as that, not as cancelled', async () => {
    const { win, result } = open()
    win.webContents.emit('did-fail-load', event(), -105, 'ERR_NAME_NOT_RESOLVED', AUTHORIZE, true)
    await expect(result).rejects.toBeInstanceOf(SignInFailedError)
    await expect(result).rejects.toThrow(/acme\.bitrix24\.ru could not be opened \(ERR_NAME_NOT_RESOLVED\)/)
    expect(win.isDestroyed()).toBe(true)
  })

  it('an aborted load (our own cancelled redirect) is not a failure', async () => {
    const { win, settled } = open()
    win.webContents.emit('did-fail-load', event(), -3, 'ERR_ABORTED', CALLBACK, true)
    await flush()
    expect(settled()).toBe('pending')
  })

  it('the portal refusing the client_id (an error page, no redirect) is reported with what to check', async () => {
    const { win, result } = open()
    win.webContents.emit('did-navigate', event(), AUTHORIZE, 400)
    await expect(result).rejects.toBeInstanceOf(SignInFailedError)
    await expect(result).rejects.toThrow(/refused the sign-in request \(HTTP 400\).*Client ID/)
  })

  it('closing the window is a cancellation', async () => {
    const { win, result } = open()
    win.close()
    await expect(result).rejects.toBeInstanceOf(SignInCancelledError)
  })
})
