#!/usr/bin/env node
// Thin launcher: the CLI is bundled by `npm run build` into out/main/cli.js and runs on plain Node.
const path = require('node:path')
const fs = require('node:fs')
const entry = path.join(__dirname, '..', 'out', 'main', 'cli.js')
if (!fs.existsSync(entry)) {
  process.stderr.write('b24-triggers: not built yet. Run `npm run build` in ' + path.join(__dirname, '..') + '\n')
  process.exit(2)
}
require(entry)
