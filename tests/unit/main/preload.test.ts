// The preload builds window.api from the contract's runtime lists. `electron` is replaced here,
// in this file only, by fakes that record what the preload exposes and invokes.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { API_EVENTS, API_METHODS } from '../../../electron/shared/ipc'

// vi.mock is hoisted above the imports; the fakes it returns must be hoisted with it.
const { exposed, invoke, listeners } = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ ok: true, data: { channel, args } })),
  listeners: new Map<string, Set<(...a: unknown[]) => void>>()
}))

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke,
    on: (channel: string, fn: (...a: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set())
      listeners.get(channel)!.add(fn)
    },
    removeListener: (channel: string, fn: (...a: unknown[]) => void) => listeners.get(channel)?.delete(fn)
  }
}))

type LooseApi = Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>> & {
  on(event: string, cb: (payload: unknown) => void): () => void
}

let api: LooseApi

beforeAll(async () => {
  await import('../../../electron/preload/index')
  api = exposed.get('api') as LooseApi
})

describe('preload', () => {
  it('exposes only `api`', () => {
    expect([...exposed.keys()]).toEqual(['api'])
  })

  it('maps every contract method to its channel with the arguments unchanged', async () => {
    for (const channel of API_METHODS) {
      const [ns, method] = channel.split('.') as [string, string]
      const fn = api[ns]?.[method]
      expect(fn, channel).toBeTypeOf('function')
      invoke.mockClear()
      const arg = { probe: channel }
      await expect(fn!(arg, 2)).resolves.toEqual({ ok: true, data: { channel, args: [arg, 2] } })
      expect(invoke).toHaveBeenCalledExactlyOnceWith(channel, arg, 2)
    }
  })

  it('has no method the contract does not list', () => {
    const offered = Object.entries(api).flatMap(([ns, group]) =>
      typeof group === 'function' ? [ns] : Object.keys(group).map((m) => `${ns}.${m}`)
    )
    expect(offered.sort()).toEqual([...API_METHODS, 'on'].sort())
  })

  it('delivers listed events without the IPC event object, and unsubscribes', () => {
    for (const event of API_EVENTS) {
      const received: unknown[] = []
      const off = api.on(event, (payload) => received.push(payload))
      const [fn] = [...(listeners.get(event) ?? [])]
      fn!({ sender: 'ipcRenderer-would-leak' }, { n: 1 })
      expect(received).toEqual([{ n: 1 }])
      off()
      expect(listeners.get(event)?.size ?? 0).toBe(0)
    }
  })

  it('refuses events outside the allow-list', () => {
    expect(() => api.on('internal.secret', () => {})).toThrow(/Unknown event/)
    expect(listeners.has('internal.secret')).toBe(false)
  })
})
