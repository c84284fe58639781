// An export that never finishes, in its own process, ended the way the CLI ends on Ctrl-C
// (process.exit(130)): tests/unit/runs/stops.test.ts checks that no `.partial` file stays.
// argv: <out path>. Prints "writing" once the partial file has data.
import { existsSync } from 'node:fs'
import { exportResults, type ExportRow } from '../../../../electron/core/runs/export'

const out = process.argv[2] as string
process.on('SIGINT', () => process.exit(130))

async function* rows(): AsyncGenerator<ExportRow> {
  for (let i = 0; ; i++) {
    yield { line: i + 2, ownerTypeId: 2, ownerId: i + 1, code: 'go', outcome: 'succeeded' }
    if (i % 2000 === 1999) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      if (existsSync(`${out}.partial`)) process.stdout.write('writing\n')
    }
  }
}

void exportResults(rows(), 'csv', out)
