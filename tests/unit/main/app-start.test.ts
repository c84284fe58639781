// electron/main/index.ts as Electron would run it, against the thin recording fake: the order
// of start-up, what the window loads, and what happens when the data folder cannot be written.
// The module runs on import, so each test imports a fresh copy of it (a distinct ?query makes
// a distinct module); the modules it uses are shared and stateless.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { electron, FakeBrowserWindow, flush, reset } from './fake-electron'
import { API_METHODS } from '../../../electron/shared/ipc'

vi.mock('electron', async () => (await import('./fake-electron')).electron)

let base: string

let copies = 0

beforeEach(() => {
  reset()
  base = mkdtempSync(join(tmpdir(), 'b24tr-app-'))
  vi.stubEnv('ELECTRON_RENDERER_URL', '')
})
afterEach(() => {
  vi.unstubAllEnvs()
  rmSync(base, { recursive: true, force: true })
})

async function startApp(dataDir: string): Promise<void> {
  vi.stubEnv('B24TR_DATA_DIR', dataDir)
  const fresh = `../../../electron/main/index.ts?copy=${++copies}`
  await import(/* @vite-ignore */ fresh)
  await flush()
}

describe('the app starting', () => {
  it('declares app:// before ready, then serves the window from it with every IPC channel registered', async () => {
    const dataDir = join(base, 'data')
    await startApp(dataDir)
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledOnce()
    expect(electron.app.getPath('userData')).toBe(dataDir)
    expect(electron.app.getPath('sessionData')).toBe(join(dataDir, 'chromium'))
    expect(electron.protocol.handlers.has('app')).toBe(true)
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...API_METHODS].sort())
    const [win] = FakeBrowserWindow.all
    expect(win?.loaded).toEqual(['app://renderer/index.html'])
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalledOnce()
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled()
  })

  it('unwritable data folder: an error dialog and exit 1, no window, no log folder', async () => {
    writeFileSync(join(base, 'file'), '')
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    await startApp(join(base, 'file', 'data'))
    expect(electron.dialog.showErrorBox).toHaveBeenCalledOnce()
    const [title, text] = electron.dialog.showErrorBox.mock.calls[0]!
    expect(title).toBe('The data folder cannot be written')
    expect(text).toContain(join(base, 'file', 'data'))
    expect(electron.app.exitCode).toBe(1)
    expect(FakeBrowserWindow.all).toEqual([])
    expect(electron.app.paths.has('userData')).toBe(false)
    error.mockRestore()
  })

  it('a second instance hands over and leaves', async () => {
    electron.app.singleInstance = false
    await startApp(join(base, 'data'))
    expect(electron.app.quitCalls).toBe(1)
    expect(FakeBrowserWindow.all).toEqual([])
  })

  it('closing the window with no run quits after the journals settle', async () => {
    await startApp(join(base, 'data'))
    const [win] = FakeBrowserWindow.all
    win!.close()
    for (let i = 0; i < 20 && !electron.app.quitted; i++) await flush()
    expect(electron.app.quitted).toBe(true)
    expect(electron.dialog.showMessageBox).not.toHaveBeenCalled()
  })
})
