// Start-up that cannot fail silently: an unwritable data folder, a page that does not load, a
// preload error or a renderer crash before the window shows all end in an error dialog and exit
// code 1. Real folders on disk; Electron is the thin recording fake.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { electron, event, FakeBrowserWindow, flush, reset } from './fake-electron'
import { ensureWritableDir, failStartup, prepareDataDir, StartupError, watchMainWindow } from '../../../electron/main/startup'
import type { Logger } from '../../../electron/main/logger'
import type { BrowserWindow } from 'electron'

vi.mock('electron', async () => (await import('./fake-electron')).electron)

let base: string
const logged: string[] = []
const logger: Logger = {
  info: (m) => void logged.push(`info ${m}`),
  warn: (m) => void logged.push(`warn ${m}`),
  error: (m) => void logged.push(`error ${m}`)
}
const isRoot = process.getuid?.() === 0

beforeEach(() => {
  reset()
  logged.length = 0
  base = mkdtempSync(join(tmpdir(), 'b24tr-start-'))
})
afterEach(() => {
  chmodSync(base, 0o755)
  rmSync(base, { recursive: true, force: true })
  vi.useRealTimers()
})

/** A data folder that cannot be created: its parent is a file. (chmod would not stop root.) */
function unwritable(): string {
  writeFileSync(join(base, 'a-file'), '')
  return join(base, 'a-file', 'data')
}

describe('the data folder', () => {
  it('is created and proven writable, then the log folder inside it', () => {
    const dir = join(base, 'fresh', 'data')
    const prepared = prepareDataDir(dir, (t) => t)
    expect(prepared.ok).toBe(true)
    if (!prepared.ok) return
    expect(prepared.logFile).toBe(join(dir, 'logs', 'main.log'))
    prepared.logger.info('hello')
    expect(existsSync(join(dir, 'logs', 'main.log'))).toBe(true)
    expect(existsSync(join(dir, `.write-test-${process.pid}`))).toBe(false)
  })

  it('unwritable: a StartupError that names the folder and the way out, and no log folder', () => {
    const dir = unwritable()
    const prepared = prepareDataDir(dir, (t) => t)
    expect(prepared.ok).toBe(false)
    if (prepared.ok) return
    expect(prepared.error).toBeInstanceOf(StartupError)
    expect(prepared.error.message).toContain(dir)
    expect(prepared.error.message).toMatch(/ENOTDIR|EEXIST/)
    expect(prepared.error.message).toContain('B24TR_DATA_DIR')
    expect(existsSync(join(dir, 'logs'))).toBe(false)
  })

  it.skipIf(isRoot)('read-only folder is refused too', () => {
    const dir = join(base, 'ro')
    mkdirSync(dir)
    chmodSync(dir, 0o555)
    expect(() => ensureWritableDir(dir)).toThrow(/EACCES/)
  })

  it('a log folder that cannot be opened falls back to stderr instead of failing', () => {
    const dir = join(base, 'data')
    mkdirSync(dir)
    writeFileSync(join(dir, 'logs'), 'a file where the log folder should be')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const prepared = prepareDataDir(dir, (t) => t)
    expect(prepared.ok).toBe(true)
    expect(prepared.ok && prepared.logFile).toBeUndefined()
    expect(warn).toHaveBeenCalled()
    warn.mockRestore()
  })
})

describe('failStartup', () => {
  it('shows an error box with the reason and the log file, then exits 1', () => {
    failStartup(new StartupError('The data folder cannot be written', 'because'), logger, '/x/main.log')
    expect(electron.dialog.showErrorBox).toHaveBeenCalledExactlyOnceWith('The data folder cannot be written', 'because\n\nDetails are in /x/main.log')
    expect(electron.app.exitCode).toBe(1)
    expect(logged.some((l) => l.startsWith('error start-up failed'))).toBe(true)
  })

  it('speaks the system language (Russian here), the folder and the way out included', () => {
    electron.app.locale = 'ru'
    const prepared = prepareDataDir(unwritable(), (t) => t)
    expect(prepared.ok).toBe(false)
    if (prepared.ok) return
    failStartup(prepared.error, logger, '/x/main.log')
    const [title, text] = electron.dialog.showErrorBox.mock.calls[0]!
    expect(title).toBe('Папка данных недоступна для записи')
    expect(text).toContain('B24TR_DATA_DIR')
    expect(text).toContain(join(base, 'a-file', 'data'))
    expect(text).toContain('Подробности в /x/main.log')
  })

  it('waits for ready before showing it (on Linux a box before ready only reaches stderr)', async () => {
    electron.app.ready = false
    let ready!: () => void
    vi.spyOn(electron.app, 'whenReady').mockReturnValue(new Promise<void>((r) => (ready = r)))
    failStartup(new Error('boom'), logger)
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled()
    ready()
    await flush()
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Trigger Runner could not start', 'boom')
    expect(electron.app.exitCode).toBe(1)
  })
})

describe('watchMainWindow', () => {
  function watched(): FakeBrowserWindow {
    const win = new FakeBrowserWindow({ show: false })
    watchMainWindow(win as unknown as BrowserWindow, { logger, logFile: '/x/main.log', showAfterMs: 50 })
    return win
  }

  it('a page that fails to load before the window shows: dialog and exit', () => {
    const win = watched()
    win.webContents.emit('did-fail-load', event(), -6, 'ERR_FILE_NOT_FOUND', 'app://renderer/index.html', true)
    expect(electron.dialog.showErrorBox).toHaveBeenCalledOnce()
    expect(electron.dialog.showErrorBox.mock.calls[0]![1]).toContain('ERR_FILE_NOT_FOUND')
    expect(electron.app.exitCode).toBe(1)
  })

  it('a page the app:// handler does not have (404) before the window shows: dialog and exit', () => {
    const win = watched()
    win.webContents.emit('did-navigate', event(), 'app://renderer/index.html', 200)
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled()
    win.webContents.emit('did-navigate', event(), 'app://renderer/index.html', 404)
    expect(electron.dialog.showErrorBox.mock.calls[0]![1]).toContain('HTTP 404')
    expect(electron.app.exitCode).toBe(1)
  })

  it('ignores aborted navigations and sub-frames', () => {
    const win = watched()
    win.webContents.emit('did-fail-load', event(), -3, 'ERR_ABORTED', 'app://renderer/index.html', true)
    win.webContents.emit('did-fail-load', event(), -105, 'ERR_NAME_NOT_RESOLVED', 'https://x.example/', false)
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled()
  })

  it('a preload error or a renderer crash before ready-to-show is fatal, once', () => {
    const win = watched()
    win.webContents.emit('preload-error', event(), '/app/preload.js', new Error('bad preload'))
    win.webContents.emit('render-process-gone', event(), { reason: 'crashed', exitCode: 139 })
    expect(electron.dialog.showErrorBox).toHaveBeenCalledOnce()
    expect(electron.dialog.showErrorBox.mock.calls[0]![1]).toContain('bad preload')
  })

  it('a crash after the window showed offers to reload', async () => {
    const win = watched()
    win.emit('ready-to-show')
    electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 0, checkboxChecked: false })
    win.webContents.emit('render-process-gone', event(), { reason: 'oom', exitCode: 1 })
    await flush()
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled()
    expect(electron.dialog.showMessageBox).toHaveBeenCalledOnce()
    expect(win.webContents.reloads).toBe(1)
    expect(electron.app.exitCode).toBeUndefined()
  })

  it('shows the window anyway when ready-to-show never comes', async () => {
    const win = watched()
    await new Promise((r) => setTimeout(r, 80))
    expect(win.visible).toBe(true)
    expect(logged.some((l) => l.startsWith('warn the window was not ready'))).toBe(true)
  })
})
