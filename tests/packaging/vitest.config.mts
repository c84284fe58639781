import { defineConfig } from 'vitest/config'

// Packages the unpacked Linux app with electron-builder and a stand-in Electron distribution,
// then inspects what ships. Needs the build output (out/); builds it when missing.
//   npx vitest run -c tests/packaging/vitest.config.mts
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/packaging/**/*.test.ts'],
    setupFiles: ['tests/unit/setup/no-electron.ts'],
    testTimeout: 150_000,
    hookTimeout: 150_000,
    pool: 'forks'
  }
})
