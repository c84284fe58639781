#!/usr/bin/env node
// `prestart` / `predev`: make sure the Electron binary is on disk before electron-vite launches it.
//
// Since Electron 42 the `electron` npm package no longer downloads its binary at install time (and
// npm 11 skips dependency install scripts anyway). The binary arrives on the first
// require('electron') or through the package's own installer, and electron-vite only reads
// node_modules/electron/path.txt, so without this step `npm start` dies with "Electron uninstall"
// (electron-vite issue #904). This runs Electron's installer, which is a no-op when the binary is
// there, and turns a failed download into words a user can act on. It is deliberately not a
// postinstall: `npm ci` (CI, packaging machines) must never need GitHub.
//
// Never require('electron') here: that would start the same download with a worse message.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

let electronDir
try {
  electronDir = dirname(require.resolve('electron/package.json'))
} catch {
  console.error('The `electron` package is not installed. Run `npm install` first.')
  process.exit(1)
}
const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8'))
const installer = join(electronDir, 'install.js')
if (!existsSync(installer)) {
  console.error(`node_modules/electron (v${version}) has no install.js; reinstall it with \`npm install\`.`)
  process.exit(1)
}

const result = spawnSync(process.execPath, [installer], { stdio: 'inherit' })
if (result.status === 0) process.exit(0)

const target = `${process.env.npm_config_platform || process.platform}-${process.env.npm_config_arch || process.arch}`
console.error(
  [
    '',
    `Could not download the Electron ${version} binary (${target}), which the desktop app runs on.`,
    'Electron fetches it once from GitHub (github.com/electron/electron/releases) into',
    `${join(electronDir, 'dist')}; the error above says why that failed.`,
    'What helps:',
    '  - check the network, then run the command again; behind a proxy set',
    '    ELECTRON_GET_USE_PROXY=1 together with HTTPS_PROXY;',
    '  - or point ELECTRON_MIRROR at a mirror of the releases, e.g.',
    '      ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ npm start',
    '  - or retry the download alone: node node_modules/electron/install.js',
    'The command line tool (bin/b24-triggers.js) does not need Electron.',
    ''
  ].join('\n')
)
process.exit(result.status ?? 1)
