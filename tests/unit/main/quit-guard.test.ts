// Closing the window or quitting during a run asks first, then pauses the runs and waits for the
// journals before the app ends. Electron's app/window/dialog are the thin recording fake, whose
// quit() and close() follow Electron's order of events (before-quit, then the windows close).
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { electron, FakeBrowserWindow, flush, reset } from './fake-electron'
import { installQuitGuard } from '../../../electron/main/quit-guard'
import type { BrowserWindow } from 'electron'

vi.mock('electron', async () => (await import('./fake-electron')).electron)

let running: number
let shutdowns: number
let finishShutdown: () => void
let win: FakeBrowserWindow

function setup(): void {
  const guard = installQuitGuard({
    runningRuns: () => running,
    shutdown: () =>
      new Promise<void>((done) => {
        shutdowns++
        finishShutdown = () => {
          running = 0
          done()
        }
      }),
    window: () => win as unknown as BrowserWindow,
    logger: { info() {}, warn() {}, error() {} }
  })
  win = new FakeBrowserWindow({})
  guard.watchWindow(win as unknown as BrowserWindow)
  // As index.ts does: the last window closing quits.
  win.on('closed', () => electron.app.quit())
}

beforeEach(() => {
  reset()
  running = 0
  shutdowns = 0
  setup()
})

function answer(button: 'pause' | 'keep'): void {
  electron.dialog.showMessageBox.mockResolvedValueOnce({ response: button === 'pause' ? 0 : 1, checkboxChecked: false })
}

describe('closing the window', () => {
  it('during a run: asks; "Keep running" keeps the window and the run', async () => {
    running = 1
    answer('keep')
    win.close()
    await flush()
    expect(electron.dialog.showMessageBox).toHaveBeenCalledOnce()
    expect(electron.dialog.showMessageBox.mock.calls[0]![0]).toBe(win)
    expect(win.isDestroyed()).toBe(false)
    expect(shutdowns).toBe(0)
    expect(electron.app.quitted).toBe(false)
  })

  it('during a run: "Pause and quit" pauses, waits for the journals, then quits', async () => {
    running = 2
    answer('pause')
    win.close()
    await flush()
    const box = electron.dialog.showMessageBox.mock.calls[0]![1] as { message: string; buttons: string[]; cancelId: number }
    expect(box.message).toContain('2 runs')
    expect(box.buttons[box.cancelId]).toBe('Keep running')
    expect(shutdowns).toBe(1)
    // Still pausing: nothing is closed yet, and another close attempt neither asks nor closes.
    expect(win.isDestroyed()).toBe(false)
    win.close()
    await flush()
    expect(electron.dialog.showMessageBox).toHaveBeenCalledOnce()
    expect(win.isDestroyed()).toBe(false)
    finishShutdown()
    await flush()
    expect(win.isDestroyed()).toBe(true)
    expect(electron.app.quitted).toBe(true)
    expect(shutdowns).toBe(1)
  })

  it('without a run: closes at once, asks nothing, still settles the journals before quitting', async () => {
    win.close()
    expect(win.isDestroyed()).toBe(true)
    await flush()
    expect(electron.dialog.showMessageBox).not.toHaveBeenCalled()
    expect(shutdowns).toBe(1)
    expect(electron.app.quitted).toBe(false)
    finishShutdown()
    await flush()
    expect(electron.app.quitted).toBe(true)
  })
})

describe('the question', () => {
  it('is asked in the system language (Russian here)', async () => {
    electron.app.locale = 'ru-RU'
    running = 1
    answer('keep')
    win.close()
    await flush()
    const box = electron.dialog.showMessageBox.mock.calls[0]![1] as { buttons: string[]; message: string }
    expect(box.buttons).toEqual(['Приостановить и выйти', 'Продолжить работу'])
    expect(box.message).toBe('Запуск ещё отправляет запросы.')
  })
})

describe('quitting (menu, Cmd+Q)', () => {
  it('during a run: asks once, pauses, quits', async () => {
    running = 1
    answer('pause')
    electron.app.quit()
    electron.app.quit() // a second Cmd+Q while the question is open
    await flush()
    expect(electron.dialog.showMessageBox).toHaveBeenCalledOnce()
    expect(shutdowns).toBe(1)
    finishShutdown()
    await flush()
    expect(electron.app.quitted).toBe(true)
    expect(win.isDestroyed()).toBe(true)
  })

  it('during a run, "Keep running": nothing stops', async () => {
    running = 1
    answer('keep')
    electron.app.quit()
    await flush()
    expect(shutdowns).toBe(0)
    expect(electron.app.quitted).toBe(false)
    expect(win.isDestroyed()).toBe(false)
  })

  it('a failing dialog counts as "Keep running", never as an unasked quit', async () => {
    running = 1
    electron.dialog.showMessageBox.mockRejectedValueOnce(new Error('no display'))
    electron.app.quit()
    await flush()
    expect(shutdowns).toBe(0)
    expect(electron.app.quitted).toBe(false)
  })
})
