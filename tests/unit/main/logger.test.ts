import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileLogger } from '../../../electron/main/logger'
import { redact } from '../../../electron/core/bitrix'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'b24tr-log-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('file logger', () => {
  it('writes every line through redact, errors with their stack', () => {
    const file = join(dir, 'logs', 'main.log')
    const log = createFileLogger({ file, redact, now: () => new Date('2026-01-02T03:04:05Z') })
    log.info('calling https://portal.example/rest/1/s3cr3tw3bh00k/crm.item.list')
    log.error('refresh failed', new Error('{"refresh_token":"abcdef123456"}'))
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('2026-01-02T03:04:05.000Z INFO calling https://portal.example/rest/1/[redacted]/crm.item.list')
    expect(text).toContain('ERROR refresh failed Error: {"refresh_token":"[redacted]"}')
    expect(text).not.toContain('s3cr3tw3bh00k')
    expect(text).not.toContain('abcdef123456')
    // A multi-line stack stays one indented entry.
    expect(text.split('\n').filter((l) => l.startsWith('2026')).length).toBe(2)
  })

  it('rotates once when the cap is reached and keeps both files bounded', () => {
    const file = join(dir, 'main.log')
    const log = createFileLogger({ file, redact, maxBytes: 500 })
    for (let i = 0; i < 40; i++) log.info(`line ${i} ${'x'.repeat(40)}`)
    expect(statSync(file).size).toBeLessThanOrEqual(500)
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(500)
    expect(readFileSync(file, 'utf8')).toContain('line 39 ')
    expect(readFileSync(`${file}.1`, 'utf8')).not.toContain('line 39 ')
  })
})
