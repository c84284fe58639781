// Crash recovery: runs in child processes killed with SIGKILL, resumed here.
//   npx vitest run -c tests/crash/vitest.config.mts
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    environment: 'node',
    include: ['tests/crash/**/*.test.ts'],
    setupFiles: ['tests/unit/setup/no-electron.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks'
  }
})
