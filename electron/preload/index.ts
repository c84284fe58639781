// Implements `window.api` (electron/shared/ipc.ts) over ipcRenderer. Built from the contract's
// runtime lists, so a method added to API_METHODS needs no change here and a channel can never
// drift from main's. The page gets verbs only, never ipcRenderer itself (Electron security
// checklist, items 15 and 17). Imports nothing but `electron` and the contract: the preload runs
// sandboxed, where require() knows only `electron`.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { API_EVENTS, API_METHODS, type ApiEvent, type TriggerRunnerApi } from '../shared/ipc'

function buildApi(): TriggerRunnerApi {
  const api: Record<string, Record<string, unknown> | unknown> = {}
  for (const channel of API_METHODS) {
    const [ns, method] = channel.split('.') as [string, string]
    const group = (api[ns] ??= {}) as Record<string, unknown>
    group[method] = (...args: unknown[]) => ipcRenderer.invoke(channel, ...args)
  }
  api.on = (event: ApiEvent, listener: (payload: unknown) => void) => {
    if (!(API_EVENTS as readonly string[]).includes(event)) throw new Error(`Unknown event: ${String(event)}`)
    if (typeof listener !== 'function') throw new Error('listener must be a function')
    // The wrapper drops the IpcRendererEvent: it carries `sender` (ipcRenderer) into the page.
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(event, wrapped)
    return () => {
      ipcRenderer.removeListener(event, wrapped)
    }
  }
  return api as unknown as TriggerRunnerApi
}

contextBridge.exposeInMainWorld('api', buildApi())
