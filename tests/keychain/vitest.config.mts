// Keychain tests: real keytar against gnome-keyring. Run them only inside the throwaway keyring:
//   bash tests/with-keyring.sh npx vitest run -c tests/keychain/vitest.config.mts
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    environment: 'node',
    include: ['tests/keychain/**/*.test.ts'],
    setupFiles: ['tests/unit/setup/no-electron.ts', 'tests/keychain/setup/throwaway-keyring-only.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One keyring daemon: files take turns rather than racing on the same collection.
    fileParallelism: false
  }
})
