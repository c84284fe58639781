import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// Custom layout (DESIGN.md): main/preload/cli live under electron/, the renderer under src/.
// Only `dependencies` (keytar, a native module) stay external; everything else is bundled,
// so the CLI output runs under plain Node and the packaged app ships no dev packages.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          cli: resolve(__dirname, 'electron/cli/index.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload may only require('electron'): bundle everything else.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'electron/preload/index.ts') } }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src'),
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/index.html') } } },
    resolve: { alias: { '@': resolve(__dirname, 'src') } },
    plugins: [vue()]
  }
})
