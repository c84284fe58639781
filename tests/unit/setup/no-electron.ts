// Core tests must never reach the real `electron` package: since Electron 42 a plain
// require('electron') starts a binary download and throws. Fail loudly instead.
import { vi } from 'vitest'

vi.mock('electron', () => {
  throw new Error('electron must not be imported from core code or unit tests')
})
