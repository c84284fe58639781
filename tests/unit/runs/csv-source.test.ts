import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeText, scanBytes } from '../../../electron/core/runs/csv-source'
import { cp1251, UTF8_BOM } from '../../fixtures/csv/cp1251'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-source-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function text(input: Uint8Array | string, encoding: Parameters<typeof decodeText>[1], chunkBytes?: number): Promise<string[]> {
  const out: string[] = []
  for await (const chunk of decodeText(input, encoding, chunkBytes ? { chunkBytes } : {})) out.push(chunk)
  return out
}

describe('scanBytes: encoding', () => {
  it('takes UTF-8 when every byte sequence is valid, Windows-1251 otherwise', async () => {
    expect((await scanBytes(Buffer.from('ИД;Сумма, руб\n1;2\n'))).encoding).toBe('utf-8')
    expect((await scanBytes(cp1251('ИД;Сумма, руб\n1;2\n'))).encoding).toBe('windows-1251')
    expect((await scanBytes(Buffer.from('ID\n1\n2\n'))).encoding).toBe('utf-8')
  })

  it('judges the whole file, not its head: Cyrillic only after the first megabyte still means Windows-1251', async () => {
    const bytes = Buffer.concat([Buffer.from('ID;note\n' + '1;ok\n'.repeat(300_000)), cp1251('2;сделка\n')])
    expect(bytes.length).toBeGreaterThan(1 << 20)
    expect((await scanBytes(bytes)).encoding).toBe('windows-1251')
  })

  it('obeys a byte-order mark, UTF-16 included', async () => {
    expect((await scanBytes(Buffer.concat([UTF8_BOM, Buffer.from('ID\n1\n')]))).encoding).toBe('utf-8')
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ИД\t№\r\n7\t1\r\n', 'utf16le')])
    expect((await scanBytes(utf16)).encoding).toBe('utf-16le')
    expect(await text(utf16, 'utf-16le')).toEqual(['ИД\t№\n7\t1\n'])
  })

  it('refuses a UTF-8 BOM in front of bytes that are not UTF-8', async () => {
    await expect(scanBytes(Buffer.concat([UTF8_BOM, cp1251('ИД\n1\n')]))).rejects.toMatchObject({ code: 'bad-encoding' })
  })

  it('counts lines for the row estimate (LF, CRLF, CR, with or without a final break)', async () => {
    expect((await scanBytes(Buffer.from('a\nb\nc'))).lines).toBe(3)
    expect((await scanBytes(Buffer.from('a\r\nb\r\nc\r\n'))).lines).toBe(3)
    expect((await scanBytes(Buffer.from('a\rb\rc\r'))).lines).toBe(3)
  })
})

describe('refusing what is not a CSV file', () => {
  it('rejects NUL bytes and mostly-control bytes as "not a text/CSV file"', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))
    for (const bytes of [garbage, Buffer.from('ID\n1\n\0\n'), Buffer.from('\x01\x02\x03\x04\x05\x06abc')]) {
      await expect(scanBytes(bytes)).rejects.toMatchObject({ name: 'CsvImportError', code: 'not-text', message: expect.stringMatching(/not a text\/CSV file/) })
      await expect(text(bytes, 'windows-1251')).rejects.toMatchObject({ code: 'not-text' })
    }
  })

  it('names an Excel workbook for what it is', async () => {
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 0x41)])
    await expect(scanBytes(xlsx)).rejects.toMatchObject({ code: 'not-text', message: expect.stringMatching(/Excel workbook/) })
  })

  it('finds a NUL byte far from the head', async () => {
    const bytes = Buffer.concat([Buffer.from('1\n'.repeat(600_000)), Buffer.from([0])])
    await expect(scanBytes(bytes)).rejects.toMatchObject({ code: 'not-text' })
    await expect(text(bytes, 'utf-8')).rejects.toMatchObject({ code: 'not-text' })
  })

  it('tolerates a stray control character such as a DOS end-of-file mark', async () => {
    expect(await text(Buffer.from('ID\n1\n\x1a'), 'utf-8')).toEqual(['ID\n1\n\x1a'])
  })

  it('calls a file with no visible character empty', async () => {
    for (const bytes of [Buffer.alloc(0), UTF8_BOM, Buffer.from(' \r\n\t\n')]) {
      await expect(text(bytes, 'utf-8')).rejects.toMatchObject({ code: 'empty', message: 'The file is empty.' })
    }
  })
})

describe('decodeText', () => {
  it('strips the BOM and turns CRLF and lone CR into LF, even when a CRLF is split between chunks', async () => {
    const body = 'a;b\r\n1;2\r3;4\r\n'
    const bytes = Buffer.concat([UTF8_BOM, Buffer.from(body)])
    const file = join(dir, 'split.csv')
    await writeFile(file, bytes)
    expect((await text(file, 'utf-8')).join('')).toBe('a;b\n1;2\n3;4\n')
    // 1-byte chunks split every CRLF pair and every two-byte Cyrillic letter.
    const cyrillic = Buffer.from('ИД;Имя\r\n1;Ёж\r\r\n')
    expect((await text(cyrillic, 'utf-8', 1)).join('')).toBe('ИД;Имя\n1;Ёж\n\n')
    expect((await text(bytes, 'utf-8', 1)).join('')).toBe('a;b\n1;2\n3;4\n')
  })

  it('decodes Windows-1251 and refuses invalid UTF-8 when UTF-8 is forced', async () => {
    expect((await text(cp1251('ИД;Сумма, руб\nЁлка;ё №1'), 'windows-1251')).join('')).toBe('ИД;Сумма, руб\nЁлка;ё №1')
    await expect(text(cp1251('ИД\n1\n'), 'utf-8')).rejects.toMatchObject({ code: 'bad-encoding', message: expect.stringMatching(/not valid UTF-8/) })
  })

  it('streams a file path and reports an unreadable one plainly', async () => {
    await expect(text(join(dir, 'missing.csv'), 'utf-8')).rejects.toMatchObject({ code: 'unreadable', message: 'Cannot read "missing.csv": no such file.' })
    await expect(text(dir, 'utf-8')).rejects.toMatchObject({ code: 'unreadable' })
  })
})

describe('UTF-16 without a byte-order mark', () => {
  it('is recognised by its NUL pattern and decoded, little- and big-endian', async () => {
    const le = Buffer.from('ID;Название\n1;Сделка\n22;b\n', 'utf16le')
    const be = Buffer.from(le).swap16()
    expect((await scanBytes(le)).encoding).toBe('utf-16le')
    expect((await scanBytes(be)).encoding).toBe('utf-16be')
    let decoded = ''
    for await (const chunk of decodeText(le, 'utf-16le')) decoded += chunk
    expect(decoded).toBe('ID;Название\n1;Сделка\n22;b\n')
  })
})
