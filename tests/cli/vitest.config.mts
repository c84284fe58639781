import { defineConfig } from 'vitest/config'

// The CLI tests spawn the built CLI (out/main/cli.js) against a sandbox portal in the test
// process and the real keychain. Run inside a throwaway keyring:
//   bash tests/with-keyring.sh npx vitest run -c tests/cli/vitest.config.mts
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/cli/**/*.test.ts'],
    globalSetup: ['tests/cli/build-once.ts'],
    setupFiles: ['tests/unit/setup/no-electron.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks'
  }
})
