// Stops at the edges: Ctrl-C (pause) just as the last batch answers leaves nothing to resume, so
// the run is finished, not "paused" with nothing pending; an export interrupted by Ctrl-C leaves
// no `.partial` file behind.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { dealRows, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('stops at the edges', () => {
  it('a pause asked while the last batch is in flight ends the run as finished', async () => {
    r = await rig({ deals: 3, triggerCostMs: 30 })
    let id = ''
    const runs = r.manager({
      hooks: {
        afterIntent: (_batch, rows) => {
          // The batch that carries the last row is out: the user presses Ctrl-C now.
          if (rows.includes(2)) void runs.pause(id)
        }
      }
    })
    id = (await runs.createRun(spec(r, dealRows(range(1, 3)), { options: { maxInFlight: 1 } }))).id
    const view = await (await runs.start(id)).done
    expect(view.counts).toMatchObject({ succeeded: 3, pending: 0 })
    expect(view.status).toBe('finished')
    expect((await r.manager().get(id)).status).toBe('finished')
  })

  it('an export interrupted by Ctrl-C leaves no .partial file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'b24-export-stop-'))
    try {
      const out = join(dir, 'results.csv')
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./children/slow-export.ts', import.meta.url)), out], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve())
        child.on('exit', (code) => reject(new Error(`exited early: ${code}`)))
      })
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
      child.kill('SIGINT')
      expect(await exited).toBe(130)
      expect(existsSync(`${out}.partial`)).toBe(false)
      expect(await readdir(dir)).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
