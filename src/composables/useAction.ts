// One API call behind a button: whether it is running and the error to show, without
// try/catch boilerplate in every component.
import { ref, shallowRef } from 'vue'
import type { IpcError } from '@/lib/contract'
import { toIpcError } from '@/lib/api'

export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const pending = ref(false)
  const error = shallowRef<IpcError | null>(null)

  /** Resolves to the result, or undefined when the call failed (the error is in `error`). */
  async function run(...args: A): Promise<R | undefined> {
    pending.value = true
    error.value = null
    try {
      return await fn(...args)
    } catch (e) {
      error.value = toIpcError(e)
      return undefined
    } finally {
      pending.value = false
    }
  }

  function clear(): void {
    error.value = null
  }

  return { run, pending, error, clear }
}
