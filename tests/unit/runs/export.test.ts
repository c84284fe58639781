import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importCsv } from '../../../electron/core/runs/csv-import'
import { CSV_RESULT_HEADER, exportResults, RESULT_COLUMNS, skippedExportRow, type ExportRow } from '../../../electron/core/runs/export'
import { cp1251, resolveTestOwnerType } from '../../fixtures/csv/cp1251'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-export-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const ctx = { resolveOwnerType: resolveTestOwnerType }

/** A source file as a Russian Excel would save it, imported for real. */
async function importedSource(name: string) {
  const path = join(dir, name)
  const text = [
    'ИД;Сумма, руб;Примечание',
    '10;100,50;=HYPERLINK("http://evil")',
    '11;-5;"две\nстроки"',
    'abc;0;@SUM(A1)',
    '12;+7;Ёлка'
  ].join('\r\n')
  await writeFile(path, cp1251(text))
  const { rows, summary } = await importCsv(path, { idColumn: 0, hasHeader: true }, { ownerTypeId: 2, code: 'call_done' }, ctx)
  return { path, rows, layout: summary.source! }
}

function results(rows: Awaited<ReturnType<typeof importedSource>>['rows']): ExportRow[] {
  return rows.map((r): ExportRow => {
    if (r.verdict !== 'valid') return skippedExportRow(r)
    const base = { line: r.line, ownerTypeId: r.ownerTypeId, ownerId: r.ownerId, code: r.code, attempts: 1, startedAt: '2025-01-02T03:04:05.000Z', finishedAt: '2025-01-02T03:04:06.000Z' }
    if (r.ownerId === 10) return { ...base, outcome: 'succeeded', verification: { state: 'moved', from: 'NEW', to: 'WON' } }
    if (r.ownerId === 11) return { ...base, outcome: 'failed', errorCode: '', errorText: 'Trigger with code call_done is not registered.', verification: { state: 'unchanged', stage: 'NEW' } }
    return { ...base, outcome: 'uncertain', errorCode: 'TIMEOUT', errorText: '=cmd|calc', verification: { state: 'not-found' } }
  })
}

function collect(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk))
      done()
    }
  })
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

describe('exportResults as CSV', () => {
  it('writes UTF-8 with BOM, ";" and CRLF: source columns then results, formulas neutralised, Cyrillic intact', async () => {
    const { path, rows, layout } = await importedSource('src.csv')
    const out = join(dir, 'out.csv')
    expect(await exportResults(results(rows), 'csv', out, { source: { input: path, layout } })).toEqual({ rows: 4 })
    const bytes = await readFile(out)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString('utf8').slice(1)
    expect(text.endsWith('\r\n')).toBe(true)
    expect(text.split('\r\n')[0]).toBe(['ИД', 'Сумма, руб', 'Примечание', ...CSV_RESULT_HEADER].join(';'))
    expect(CSV_RESULT_HEADER.slice(-2)).toEqual(['started_at (UTC)', 'finished_at (UTC)'])

    const parsed = Papa.parse<string[]>(text, { delimiter: ';', newline: '\r\n', skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    const [header, ...data] = parsed.data
    const row = (i: number) => Object.fromEntries(header!.map((h, c) => [h, data[i]![c]]))
    expect(data).toHaveLength(4)
    expect(row(0)).toEqual({
      ИД: '10',
      'Сумма, руб': '100,50',
      Примечание: `'=HYPERLINK("http://evil")`,
      line: '2',
      owner_type_id: '2',
      owner_id: '10',
      source_value: '',
      code: 'call_done',
      outcome: 'succeeded',
      error_code: '',
      error_text: '',
      attempts: '1',
      verification: 'moved NEW -> WON',
      // A date-time Excel recognises; the header says the zone.
      'started_at (UTC)': '2025-01-02 03:04:05',
      'finished_at (UTC)': '2025-01-02 03:04:06'
    })
    // A negative amount stays a number, not text behind an apostrophe.
    expect(row(1)).toMatchObject({ 'Сумма, руб': '-5', Примечание: 'две\nстроки', line: '3', outcome: 'failed', verification: 'unchanged' })
    expect(row(2)).toMatchObject({
      ИД: 'abc',
      Примечание: "'@SUM(A1)",
      line: '5',
      owner_id: '',
      source_value: 'abc',
      outcome: 'skipped',
      error_code: 'not-integer',
      error_text: 'owner ID "abc" is not a whole number',
      attempts: ''
    })
    expect(row(3)).toMatchObject({ 'Сумма, руб': '+7', Примечание: 'Ёлка', line: '6', error_text: "'=cmd|calc", verification: 'not found or not visible' })
    expect(existsSync(`${out}.partial`)).toBe(false)
  })

  it('escapes every formula trigger, multi-line cells included, and writes only whitelisted fields', async () => {
    const sneaky = ['=1+1\nfoo', '+1', '-1', '@x', '\tx', '\rx'].map((errorText, i) => ({
      line: i + 1,
      ownerTypeId: 2,
      ownerId: i + 1,
      code: 'a',
      outcome: 'failed' as const,
      errorText,
      accessToken: 'tok-should-never-appear',
      webhookUrl: 'https://x.bitrix24.ru/rest/1/s3cr3tw3bh00k/'
    }))
    sneaky.push({ ...sneaky[0]!, line: 7, errorText: 'see https://x.bitrix24.ru/rest/1/s3cr3tw3bh00k/crm.deal.get' })
    const { stream, text } = collect()
    await exportResults(sneaky, 'csv', stream)
    const out = text()
    expect(out).not.toMatch(/tok-should-never-appear|s3cr3tw3bh00k/)
    const data = Papa.parse<string[]>(out.slice(1), { delimiter: ';', newline: '\r\n', skipEmptyLines: true }).data.slice(1)
    const errorText = RESULT_COLUMNS.indexOf('error_text')
    expect(data.map((r) => r[errorText])).toEqual(["'=1+1\nfoo", '+1', '-1', "'@x", "'\tx", "'\rx", 'see https://x.bitrix24.ru/rest/1/[redacted]/crm.deal.get'])
  })

  it('keeps negative and decimal numbers as numbers, and escapes anything that only starts like one', async () => {
    const cells = ['-12', '-0,5', '-1234.75', '+3.25', '-1e-3', '-.5', '-1+2', '-5\n', '+7 999 123', '-SUM(A1)', '- 1', '-']
    const rows = cells.map((errorText, i) => ({ line: i + 1, ownerTypeId: 2, ownerId: i + 1, code: 'a', outcome: 'failed' as const, errorText }))
    const { stream, text } = collect()
    await exportResults(rows, 'csv', stream)
    const data = Papa.parse<string[]>(text().slice(1), { delimiter: ';', newline: '\r\n', skipEmptyLines: true }).data.slice(1)
    const col = RESULT_COLUMNS.indexOf('error_text')
    expect(data.map((r) => r[col])).toEqual(['-12', '-0,5', '-1234.75', '+3.25', '-1e-3', '-.5', "'-1+2", "'-5\n", "'+7 999 123", "'-SUM(A1)", "'- 1", "'-"])
  })

  it('sorts an array by line to match the source, refuses an out-of-order stream, and leaves no file behind', async () => {
    const { path, rows, layout } = await importedSource('order.csv')
    const sorted = results(rows)
    const { stream, text } = collect()
    await exportResults([...sorted].reverse(), 'csv', stream, { source: { input: path, layout } })
    const lines = Papa.parse<string[]>(text().slice(1), { delimiter: ';', newline: '\r\n', skipEmptyLines: true }).data
    expect(lines.slice(1).map((r) => r[0])).toEqual(['10', '11', 'abc', '12'])

    const out = join(dir, 'refused.csv')
    function* backwards(): Generator<ExportRow> {
      yield* [...sorted].reverse()
    }
    await expect(exportResults(backwards(), 'csv', out, { source: { input: path, layout } })).rejects.toMatchObject({ code: 'export-order' })
    expect((await readdir(dir)).filter((f) => f.startsWith('refused'))).toEqual([])
  })

  it('refuses a source file changed since the import', async () => {
    const { path, rows, layout } = await importedSource('changed.csv')
    await writeFile(path, cp1251('ИД;Сумма, руб;Примечание\r\n99;1;x\r\n10;100,50;y\r\n11;1;z\r\nabc;0;w\r\n12;1;v'))
    const out = join(dir, 'changed-out.csv')
    await expect(exportResults(results(rows), 'csv', out, { source: { input: path, layout } })).rejects.toMatchObject({
      name: 'CsvImportError',
      code: 'source-changed'
    })
    expect(existsSync(out)).toBe(false)
  })

  it('streams many rows through a slow writer and leaves a caller stream open', async () => {
    const n = 30_000
    function* many(): Generator<ExportRow> {
      for (let i = 1; i <= n; i++) yield { line: i, ownerTypeId: 2, ownerId: i, code: 'a', outcome: 'succeeded' }
    }
    const slow = new PassThrough({ highWaterMark: 1024 })
    const chunks: Buffer[] = []
    const reading = (async () => {
      for await (const chunk of slow) {
        chunks.push(chunk as Buffer)
        await new Promise((r) => setImmediate(r))
      }
    })()
    expect(await exportResults(many(), 'csv', slow)).toEqual({ rows: n })
    expect(slow.writableEnded).toBe(false)
    slow.end()
    await reading
    const text = Buffer.concat(chunks).toString('utf8')
    expect(text.split('\r\n')).toHaveLength(n + 2)
    expect(chunks.length).toBeGreaterThan(1)
  })
})

describe('exportResults as JSON', () => {
  it('writes an array of objects with the source cells by column name, and nulls for what is unknown', async () => {
    const { path, rows, layout } = await importedSource('src-json.csv')
    const out = join(dir, 'out.json')
    await exportResults(results(rows), 'json', out, { source: { input: path, layout } })
    const parsed = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>[]
    expect(parsed).toHaveLength(4)
    expect(parsed[0]).toEqual({
      line: 2,
      owner_type_id: 2,
      owner_id: 10,
      source_value: null,
      code: 'call_done',
      outcome: 'succeeded',
      error_code: null,
      error_text: null,
      attempts: 1,
      verification: 'moved NEW -> WON',
      started_at: '2025-01-02T03:04:05.000Z',
      finished_at: '2025-01-02T03:04:06.000Z',
      source: { ИД: '10', 'Сумма, руб': '100,50', Примечание: '=HYPERLINK("http://evil")' }
    })
    expect(parsed[1]).toMatchObject({ error_code: '', error_text: 'Trigger with code call_done is not registered.', source: { Примечание: 'две\nстроки' } })
    expect(parsed[2]).toMatchObject({ owner_id: null, source_value: 'abc', outcome: 'skipped', error_code: 'not-integer', source: { ИД: 'abc' } })
  })

  it('writes [] for no rows and gives duplicate column names unique keys', async () => {
    const { stream, text } = collect()
    await exportResults([], 'json', stream)
    expect(JSON.parse(text())).toEqual([])

    const path = join(dir, 'dupe.csv')
    await writeFile(path, 'id,x,x\n5,a,b\n')
    const { summary } = await importCsv(path, { idColumn: 0, hasHeader: true }, { ownerTypeId: 2, code: 'a' }, ctx)
    const second = collect()
    await exportResults([{ line: 2, ownerTypeId: 2, ownerId: 5, code: 'a', outcome: 'succeeded' }], 'json', second.stream, {
      source: { input: path, layout: summary.source! }
    })
    expect((JSON.parse(second.text()) as { source: unknown }[])[0]!.source).toEqual({ id: '5', x: 'a', x_2: 'b' })
  })
})
