// A thin stand-in for the `electron` module, for the main-process modules that only run inside
// Electron (window, sign-in window, menu, protocol, start-up errors, quit guard). It records what
// the code under test asks of Electron and lets a test fire the events Electron would fire; it
// does not try to behave like Chromium. Use it per test file:
//   vi.mock('electron', async () => (await import('./fake-electron')).electron)
// and reset() it in beforeEach.
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

/** An Electron-style event: preventDefault() is recorded. */
export interface FakeEvent {
  defaultPrevented: boolean
  preventDefault(): void
  [key: string]: unknown
}

export function event(fields: Record<string, unknown> = {}): FakeEvent {
  const e: FakeEvent = {
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true
    },
    ...fields
  }
  return e
}

export class FakeSession extends EventEmitter {
  permissionRequestHandler?: (wc: unknown, permission: string, callback: (ok: boolean) => void) => void
  permissionCheckHandler?: () => boolean
  headersListener?: (details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void
  constructor(readonly partition: string) {
    super()
  }
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = h
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = h
  }
  webRequest = {
    onHeadersReceived: (h: FakeSession['headersListener']) => {
      this.headersListener = h
    }
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler?: (details: { url: string }) => { action: string }
  readonly sent: { channel: string; payload: unknown }[] = []
  reloads = 0
  constructor(readonly session: FakeSession) {
    super()
  }
  setWindowOpenHandler(h: FakeWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = h
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload })
  }
  reload(): void {
    this.reloads++
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = []
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all.filter((w) => !w.destroyed)
  }
  readonly webContents: FakeWebContents
  readonly loaded: string[] = []
  title: string
  visible = false
  destroyed = false
  maximized = false
  /** What loadURL resolves or rejects with; set by a test before the call. */
  loadResult: Promise<void> = Promise.resolve()
  constructor(readonly options: Record<string, unknown> & { webPreferences?: { session?: FakeSession } }) {
    super()
    this.title = String(options.title ?? '')
    this.webContents = new FakeWebContents(options.webPreferences?.session ?? electron.session.defaultSession)
    FakeBrowserWindow.all.push(this)
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url)
    return this.loadResult
  }
  setTitle(title: string): void {
    this.title = title
  }
  getTitle(): string {
    return this.title
  }
  show(): void {
    this.visible = true
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false
  }
  maximize(): void {
    this.maximized = true
  }
  isMaximized(): boolean {
    return this.maximized
  }
  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    return { x: 10, y: 20, width: 1100, height: 760 }
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  /** Like Electron: 'close' (preventable), then 'closed', then the app's 'window-all-closed'
   * when it was the last one. */
  close(): void {
    if (this.destroyed) return
    const e = event()
    this.emit('close', e)
    if (e.defaultPrevented) return
    this.destroyed = true
    this.emit('closed')
    if (FakeBrowserWindow.getAllWindows().length === 0) electron.app.emit('window-all-closed')
  }
}

class FakeApp extends EventEmitter {
  ready = true
  isPackaged = false
  singleInstance = true
  requestSingleInstanceLock(): boolean {
    return this.singleInstance
  }
  getAppPath(): string {
    return '/fake/app'
  }
  exitCode: number | undefined
  quitCalls = 0
  /** Set when a quit went through (no before-quit handler prevented it). */
  quitted = false
  paths = new Map<string, string>()
  isReady(): boolean {
    return this.ready
  }
  whenReady(): Promise<void> {
    return Promise.resolve()
  }
  /** Like Electron: 'before-quit' (preventable); then every window closes, and the app ends. */
  quit(): void {
    this.quitCalls++
    const e = event()
    this.emit('before-quit', e)
    if (e.defaultPrevented) return
    for (const w of FakeBrowserWindow.getAllWindows()) w.close()
    this.quitted = true
  }
  exit(code: number): void {
    this.exitCode = code
  }
  getPath(name: string): string {
    return this.paths.get(name) ?? `/fake/${name}`
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value)
  }
  getVersion(): string {
    return '0.0.0-fake'
  }
  locale = 'en-US'
  getLocale(): string {
    return this.locale
  }
}

function createElectron() {
  const defaultSession = new FakeSession('default')
  return {
    app: new FakeApp(),
    BrowserWindow: FakeBrowserWindow,
    session: {
      defaultSession,
      partitions: [] as FakeSession[],
      fromPartition(partition: string): FakeSession {
        const s = new FakeSession(partition)
        this.partitions.push(s)
        return s
      }
    },
    dialog: {
      showErrorBox: vi.fn<(title: string, content: string) => void>(),
      /** Answers with `response` (0 = first button) unless a test scripts otherwise. */
      showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 0, checkboxChecked: false }))
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handlers: new Map<string, (request: Request) => Promise<Response>>(),
      handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
        this.handlers.set(scheme, handler)
      }
    },
    shell: {
      openExternal: vi.fn(async (_url: string) => {}),
      openPath: vi.fn(async (_path: string) => '')
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template }),
      setApplicationMenu: vi.fn()
    },
    screen: {
      getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
      getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]
    },
    clipboard: { writeText: vi.fn<(text: string) => void>() },
    ipcMain: {
      handlers: new Map<string, (...args: unknown[]) => unknown>(),
      handle(channel: string, fn: (...args: unknown[]) => unknown): void {
        this.handlers.set(channel, fn)
      }
    }
  }
}

export const electron = createElectron()

/** Back to a fresh state for the next test. Mutates in place: the code under test holds these
 * very objects (its `import { app } from 'electron'` is bound to them). */
export function reset(): void {
  const fresh = createElectron()
  const { app } = electron
  app.removeAllListeners()
  Object.assign(app, { ready: true, exitCode: undefined, quitCalls: 0, quitted: false, paths: new Map(), singleInstance: true, locale: 'en-US' })
  electron.ipcMain.handlers.clear()
  const ds = electron.session.defaultSession
  ds.removeAllListeners()
  ds.permissionRequestHandler = ds.permissionCheckHandler = ds.headersListener = undefined
  electron.session.partitions.length = 0
  Object.assign(electron.dialog, fresh.dialog)
  electron.protocol.handlers.clear()
  electron.protocol.registerSchemesAsPrivileged = fresh.protocol.registerSchemesAsPrivileged
  Object.assign(electron.shell, fresh.shell)
  Object.assign(electron.Menu, fresh.Menu)
  Object.assign(electron.clipboard, fresh.clipboard)
  FakeBrowserWindow.all = []
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}
