// Stands in for Electron's IPC between the page and main, and nothing else. The page runs the
// REAL built preload (out/preload/index.js) with a stand-in `electron` module whose ipcRenderer
// forwards invoke() to a Playwright binding; the binding calls the handlers registerIpc()
// recorded, with an event naming the frame that really called. Push events travel back through
// page.evaluate into the preload's own listener registry. A channel that drifts from the contract
// therefore breaks here exactly as it would in the app.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'

/** What the bridge passes as the IPC event: the calling frame's URL, as Electron's senderFrame. */
export interface BridgeEvent {
  senderFrame: { url: string; isMainFrame: boolean } | null
}

export type Handler = (event: BridgeEvent, ...args: unknown[]) => unknown

/** An ipcMain look-alike that records what registerIpc() registers. */
export function recordingIpc(): { handle(channel: string, fn: Handler): void; handlers: Map<string, Handler> } {
  const handlers = new Map<string, Handler>()
  return {
    handlers,
    handle(channel, fn) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`)
      handlers.set(channel, fn)
    }
  }
}

/** The page-side stand-in for `require('electron')`, wrapped around the preload's CommonJS code. */
function initScript(preloadSource: string): string {
  return `(() => {
  const listeners = new Map()
  const electron = {
    contextBridge: {
      exposeInMainWorld(key, value) {
        Object.defineProperty(window, key, { value: Object.freeze(value), writable: false, configurable: false })
      }
    },
    ipcRenderer: {
      invoke(channel, ...args) { return window.__ipcInvoke(channel, args) },
      on(channel, fn) {
        if (!listeners.has(channel)) listeners.set(channel, new Set())
        listeners.get(channel).add(fn)
      },
      removeListener(channel, fn) { listeners.get(channel)?.delete(fn) }
    }
  }
  Object.defineProperty(window, '__ipcEmit', {
    value(channel, payload) { for (const fn of listeners.get(channel) ?? []) fn({}, payload) }
  })
  Object.defineProperty(window, '__ipcListenerCount', {
    value(channel) { return listeners.get(channel)?.size ?? 0 }
  })
  const module = { exports: {} }
  const require = (name) => {
    if (name === 'electron') return electron
    throw new Error('a sandboxed preload can only require electron, not ' + name)
  }
  ;(function (require, module, exports) {
${preloadSource}
  })(require, module, module.exports)
})()`
}

/** Installs the bridge on a page before it loads: every later navigation gets window.api. */
export async function installBridge(page: Page, preloadFile: string, handlers: () => Map<string, Handler>): Promise<void> {
  await page.exposeBinding('__ipcInvoke', async (source, channel: unknown, args: unknown) => {
    const handler = typeof channel === 'string' ? handlers().get(channel) : undefined
    // Electron rejects an invoke() nobody handles with "No handler registered for '…'".
    if (!handler) throw new Error(`No handler registered for '${String(channel)}'`)
    const frame = source.frame
    const event: BridgeEvent = { senderFrame: { url: frame.url(), isMainFrame: frame === source.page.mainFrame() } }
    return handler(event, ...(Array.isArray(args) ? args : []))
  })
  await page.addInitScript(initScript(readFileSync(preloadFile, 'utf8')))
}

/** main → renderer push (webContents.send). A page that is navigating misses it, as in Electron. */
export async function emitToPage(page: Page, channel: string, payload: unknown): Promise<void> {
  if (page.isClosed()) return
  try {
    await page.evaluate(([c, p]) => (globalThis as unknown as { __ipcEmit(c: string, p: unknown): void }).__ipcEmit(c, p), [channel, payload] as const)
  } catch {
    // the page navigated or closed between the check and the call
  }
}
