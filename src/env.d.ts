/// <reference types="vite/client" />
import type { TriggerRunnerApi } from '../electron/shared/ipc'

declare global {
  interface Window {
    /** Built by the preload from API_METHODS; the renderer's only door to the world. */
    api: TriggerRunnerApi
  }
}

export {}
