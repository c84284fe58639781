// How the runner sorts answers the sandbox cannot produce on demand: per-row
// INTERNAL_SERVER_ERROR, a label missing from the answer, per-row QUERY_LIMIT_EXCEEDED. The
// portal is replaced by a scripted client here, and only here; everything else is real.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BitrixError } from '../../../electron/core/bitrix'
import type { BatchCommand, BatchItemResult, BatchResponse, BitrixClient } from '../../../electron/core/bitrix/types'
import { createRunManager } from '../../../electron/core/runs'
import type { ErrorInfo } from '../../../electron/shared/domain'
import { dealRows, range } from './helpers'

let dataDir: string
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'b24-answers-'))
})
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

type Script = (cmd: BatchCommand, sent: number) => BatchItemResult | 'omit'

/** A portal that answers each command by `script`; `sent` counts sends of that label so far. */
function scripted(script: Script, envelope?: (call: number) => Error | undefined) {
  const sends = new Map<string, number>()
  let calls = 0
  const client: BitrixClient = {
    async call() {
      throw new Error('not used')
    },
    async batch(commands): Promise<BatchResponse> {
      const failure = envelope?.(++calls)
      if (failure) throw failure
      const items: BatchItemResult[] = []
      for (const cmd of commands) {
        const n = (sends.get(cmd.label) ?? 0) + 1
        sends.set(cmd.label, n)
        const item = script(cmd, n)
        if (item !== 'omit') items.push(item)
      }
      return { items, status: 200 }
    },
    describe: () => ({ portalUrl: 'https://portal.example', kind: 'oauth' })
  }
  return { client, sends }
}

const ok = (label: string): BatchItemResult => ({ label, state: 'ok', result: true, time: { duration: 0.001, processing: 0.001 } })
const err = (label: string, code: string, kind: ErrorInfo['kind'], description = ''): BatchItemResult => ({
  label,
  state: 'error',
  error: { code, description, status: 200, kind }
})

async function run(client: BitrixClient, count: number) {
  const runs = createRunManager({ dataDir, clientFor: () => client })
  const { id } = await runs.createRun({
    profile: { id: 'p', name: 'P', portalUrl: 'https://portal.example', kind: 'oauth' },
    trigger: { kind: 'app', code: 'go' },
    source: { name: 'x.csv' },
    options: { rate: { burst: 1000, drainPerSec: 1000 } },
    rows: dealRows(range(1, count), 'go')
  })
  const view = await (await runs.start(id)).done
  const rows = (await runs.rows({ runId: id, offset: 0, limit: count })).rows
  return { view, rows }
}

describe('per-row answers', () => {
  it('INTERNAL_SERVER_ERROR and a missing label are uncertain and never re-sent', async () => {
    const { client, sends } = scripted((cmd) => (cmd.label === 'r3' ? err('r3', 'INTERNAL_SERVER_ERROR', 'ambiguous') : cmd.label === 'r4' ? 'omit' : ok(cmd.label)))
    const { view, rows } = await run(client, 10)
    expect(view.counts).toMatchObject({ succeeded: 8, uncertain: 2 })
    expect(rows[3]).toMatchObject({ outcome: 'uncertain', errorCode: 'INTERNAL_SERVER_ERROR' })
    expect(rows[4]).toMatchObject({ outcome: 'uncertain', errorCode: 'NO_ANSWER' })
    expect(sends.get('r3')).toBe(1)
    expect(sends.get('r4')).toBe(1)
  })

  it('re-queues a row rejected before running, alone, into a later batch', async () => {
    const { client, sends } = scripted((cmd, n) => (cmd.label === 'r5' && n < 3 ? err('r5', 'QUERY_LIMIT_EXCEEDED', 'retry-safe', 'Too many requests') : ok(cmd.label)))
    const { view, rows } = await run(client, 20)
    expect(view.counts.succeeded).toBe(20)
    expect(rows[5]).toMatchObject({ outcome: 'succeeded', attempts: 3 })
    expect(sends.get('r5')).toBe(3)
    expect(sends.get('r6')).toBe(1)
  })

  it('fails a row after the attempt cap with the last error', async () => {
    const { client, sends } = scripted((cmd) => (cmd.label === 'r1' ? err('r1', 'QUERY_LIMIT_EXCEEDED', 'retry-safe', 'Too many requests') : ok(cmd.label)))
    const { view, rows } = await run(client, 5)
    expect(view.counts).toMatchObject({ succeeded: 4, failed: 1 })
    expect(rows[1]).toMatchObject({ outcome: 'failed', errorCode: 'QUERY_LIMIT_EXCEEDED', attempts: 5 })
    expect(sends.get('r1')).toBe(5)
  })

  it('re-sends a whole batch the portal refused with 503, without counting it against the rows', async () => {
    const { client, sends } = scripted(
      (cmd) => ok(cmd.label),
      (call) => (call === 2 || call === 3 ? new BitrixError({ code: 'QUERY_LIMIT_EXCEEDED', description: 'Too many requests', status: 503 }) : undefined)
    )
    const { view, rows } = await run(client, 60)
    expect(view.counts.succeeded).toBe(60)
    expect(rows.every((row) => row.attempts === 1)).toBe(true)
    expect([...sends.values()].every((n) => n === 1)).toBe(true)
  })

  it('treats an unexpected exception from the client as "may have run"', async () => {
    const { client } = scripted((cmd) => ok(cmd.label), (call) => (call === 2 ? new TypeError('socket hang up') : undefined))
    const { view } = await run(client, 30)
    expect(view.counts.uncertain).toBeGreaterThan(0)
    expect(view.counts.succeeded + view.counts.uncertain).toBe(30)
  })
})
