/// <reference types="vite/client" />
// eslint-disable-next-line no-restricted-imports -- the types-only contract (see lib/contract.ts)
import type { TriggerRunnerApi } from '../electron/shared/ipc'

declare global {
  interface Window {
    /** Built by the preload from API_METHODS; the renderer's only door to the world. */
    api: TriggerRunnerApi
  }
}

export {}
