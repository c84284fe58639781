// The renderer's only door to the world: `window.api` (built by the preload), with each
// IpcResult turned into a value or an ApiError so callers can use try/catch and still keep
// the portal's own words for the error notice.
import type { IpcError, IpcResult, TriggerRunnerApi } from '@/lib/contract'

export class ApiError extends Error {
  constructor(readonly info: IpcError) {
    super(info.message)
    this.name = 'ApiError'
  }
}

export function api(): TriggerRunnerApi {
  const bridge = (window as Partial<Window>).api
  if (!bridge) throw new ApiError({ code: 'NO_BRIDGE', message: 'The application bridge is not available.' })
  return bridge
}

/** Resolves to the data of a successful call; rejects with ApiError otherwise. */
export async function unwrap<T>(call: Promise<IpcResult<T>>): Promise<T> {
  let result: IpcResult<T>
  try {
    result = await call
  } catch (e) {
    // The bridge itself failed (not a handler error): keep the message, never the stack.
    throw new ApiError({ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) })
  }
  if (result.ok) return result.data
  throw new ApiError(result.error)
}

/** Any thrown value as an IpcError, for display. */
export function toIpcError(e: unknown): IpcError {
  if (e instanceof ApiError) return e.info
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) }
}
