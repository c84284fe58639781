// Closing the window or quitting while a run is sending asks first, then pauses every run and
// waits for the journals before the process ends: the rows in flight get their answers recorded,
// the run is listed as paused and can be resumed. Without runs, quitting still waits for the
// journals to settle, but asks nothing.
//
// States: open → (asking) → confirmed → closing (pausing runs) → closed (Electron may quit).
// Every close/quit attempt while asking or closing is held back, so one answer covers them all.
import { app, dialog, type BrowserWindow } from 'electron'
import { dialogText } from './dialog-text'
import type { Logger } from './logger'

export interface QuitGuardOptions {
  /** Runs currently sending. */
  runningRuns(): number
  /** Pauses every run and waits for the journals (IpcWiring.close). */
  shutdown(): Promise<void>
  /** The window the question is attached to. */
  window(): BrowserWindow | undefined
  logger: Logger
}

export interface QuitGuard {
  /** Asks before this window closes during a run. */
  watchWindow(win: BrowserWindow): void
}

type State = 'open' | 'asking' | 'confirmed' | 'closing' | 'closed'

export function installQuitGuard(options: QuitGuardOptions): QuitGuard {
  let state: State = 'open'

  async function confirm(): Promise<boolean> {
    const running = options.runningRuns()
    if (running === 0) {
      state = 'confirmed'
      return true
    }
    state = 'asking'
    const t = dialogText()
    const box: Electron.MessageBoxOptions = {
      type: 'warning',
      title: t.runningTitle,
      message: t.running(running),
      detail: t.runningDetail,
      buttons: [t.pauseAndQuit, t.keepRunning],
      defaultId: 1,
      cancelId: 1,
      noLink: true
    }
    let ok = false
    try {
      const win = options.window()
      const { response } = win && !win.isDestroyed() ? await dialog.showMessageBox(win, box) : await dialog.showMessageBox(box)
      ok = response === 0
    } catch (err) {
      options.logger.error('could not ask before quitting', err)
    }
    state = ok ? 'confirmed' : 'open'
    return ok
  }

  function askThenQuit(): void {
    void confirm().then((ok) => {
      if (ok) app.quit()
    })
  }

  app.on('before-quit', (event) => {
    if (state === 'closed') return
    event.preventDefault()
    if (state === 'open') return askThenQuit()
    if (state !== 'confirmed') return // asking or closing: the first attempt finishes the job
    state = 'closing'
    const running = options.runningRuns()
    if (running) options.logger.info(`quitting: pausing ${running} run(s)`)
    void options
      .shutdown()
      .catch((err: unknown) => options.logger.error('shutdown failed', err))
      .finally(() => {
        state = 'closed'
        app.quit()
      })
  })

  return {
    watchWindow(win) {
      win.on('close', (event) => {
        if (state === 'closed' || state === 'confirmed') return
        if (state === 'open' && options.runningRuns() === 0) return // window-all-closed quits
        event.preventDefault()
        if (state === 'open') askThenQuit()
      })
    }
  }
}
