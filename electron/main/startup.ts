// Start-up that cannot fail silently. A GUI app that dies before its window shows leaves the
// user with nothing: no window, no message, maybe a process in the background. So: the data
// folder is proven writable before anything is written there (the log included), and any failure
// before the window is on screen (page not loaded, preload error, renderer crash) ends in an error
// dialog and a clean exit. A renderer crash later asks whether to reload.
import { app, dialog, type BrowserWindow } from 'electron'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dialogText, type DialogText } from './dialog-text'
import { createFileLogger, type Logger } from './logger'

const EN = dialogText('en')

/** A start-up failure: English title and message for the log, and the dialog's words in the
 * user's language (rendered when shown, after `ready`). */
export class StartupError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly localized?: (t: DialogText) => { title: string; message: string }
  ) {
    super(message)
    this.name = 'StartupError'
  }
}

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const message = err instanceof Error ? err.message : String(err)
  return code && !message.includes(code) ? `${code}: ${message}` : message
}

/** Creates `dir` and proves it writable by writing and removing a probe file. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
    const probe = join(dir, `.write-test-${process.pid}`)
    writeFileSync(probe, '')
    rmSync(probe, { force: true })
  } catch (err) {
    const reason = reasonOf(err)
    throw new StartupError(EN.dataDirTitle, EN.dataDir(dir, reason), (t) => ({ title: t.dataDirTitle, message: t.dataDir(dir, reason) }))
  }
}

/** Messages only to stderr: used until (or instead of) the log file. */
export const stderrLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message, detail) => console.warn(message, detail ?? ''),
  error: (message, detail) => console.error(message, detail ?? '')
}

export type PreparedDataDir = { ok: true; logger: Logger; logFile?: string } | { ok: false; error: StartupError }

/** The data folder first, then the log inside it. A log that cannot be opened is not fatal
 * (the app works without it): messages then go to stderr. */
export function prepareDataDir(dataDir: string, redact: (text: string) => string): PreparedDataDir {
  try {
    ensureWritableDir(dataDir)
  } catch (err) {
    return { ok: false, error: err as StartupError }
  }
  const logFile = join(dataDir, 'logs', 'main.log')
  try {
    return { ok: true, logger: createFileLogger({ file: logFile, redact }), logFile }
  } catch (err) {
    stderrLogger.warn(`the log file ${logFile} cannot be opened; logging to stderr`, reasonOf(err))
    return { ok: true, logger: stderrLogger }
  }
}

/** Shows the error and ends the process (exit code 1). Waits for `ready`: before it, Linux only
 * prints an error box to stderr. */
export function failStartup(error: unknown, logger: Logger, logFile?: string): void {
  logger.error(`start-up failed: ${error instanceof StartupError ? error.title : EN.cannotStartTitle}`, error)
  const show = (): void => {
    const t = dialogText()
    const { title, message } =
      error instanceof StartupError
        ? (error.localized?.(t) ?? { title: error.title, message: error.message })
        : { title: t.cannotStartTitle, message: error instanceof Error ? error.message : String(error) }
    dialog.showErrorBox(title, logFile ? `${message}\n\n${t.detailsIn(logFile)}` : message)
    app.exit(1)
  }
  if (app.isReady()) show()
  else void app.whenReady().then(show)
}

export interface WindowWatchOptions {
  logger: Logger
  logFile?: string
  /** Shows the window anyway when `ready-to-show` has not come by then (ms). */
  showAfterMs?: number
}

/** Watches the main window: before it is shown every failure is fatal (dialog + exit); after,
 * a crashed renderer offers to reload. Chromium's own aborts (ERR_ABORTED, -3: a navigation
 * replaced by another) are not failures. */
export function watchMainWindow(win: BrowserWindow, options: WindowWatchOptions): void {
  const { logger } = options
  let shown = false
  let failed = false
  const fatal = (what: string): void => {
    if (failed) return
    failed = true
    clearTimeout(timer)
    failStartup(new StartupError(EN.windowFailedTitle, what, (t) => ({ title: t.windowFailedTitle, message: what })), logger, options.logFile)
  }
  const timer = setTimeout(() => {
    if (shown || failed || win.isDestroyed()) return
    logger.warn('the window was not ready to show in time; showing it anyway')
    win.show()
  }, options.showAfterMs ?? 20_000)
  timer.unref?.()

  win.once('ready-to-show', () => {
    shown = true
    clearTimeout(timer)
  })
  win.on('closed', () => clearTimeout(timer))

  const contents = win.webContents
  contents.on('did-fail-load', (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
    if (!isMainFrame || errorCode === -3) return
    const what = `The window could not load ${validatedURL} (${errorDescription}, ${errorCode}).`
    if (!shown) fatal(what)
    else logger.error(what)
  })
  // A missing page answers 404 through the app:// handler: Chromium shows it as a page, with no
  // did-fail-load, so the status is checked here.
  contents.on('did-navigate', (_event, url, httpResponseCode) => {
    if (httpResponseCode < 400) return
    const what = `The window could not load ${url} (HTTP ${httpResponseCode}): the app's files are missing or damaged.`
    if (!shown) fatal(what)
    else logger.error(what)
  })
  contents.on('preload-error', (_event, preloadPath, error) => {
    const what = `The window's preload script ${preloadPath} failed: ${error.message}`
    if (!shown) fatal(what)
    else logger.error(what)
  })
  contents.on('render-process-gone', (_event, details) => {
    const what = `The window's renderer stopped (${details.reason}, exit code ${details.exitCode}).`
    if (!shown) return fatal(what)
    logger.error(what)
    if (details.reason === 'clean-exit' || win.isDestroyed()) return
    const t = dialogText()
    void dialog
      .showMessageBox(win, {
        type: 'error',
        title: t.crashedTitle,
        message: t.crashedMessage,
        detail: `${what}\n${t.crashedDetail}`,
        buttons: [t.reload, t.quit],
        defaultId: 0,
        cancelId: 1,
        noLink: true
      })
      .then(({ response }) => {
        if (win.isDestroyed()) return
        if (response === 0) contents.reload()
        else app.quit()
      })
  })
}
