// Bytes in, text out: reads a CSV input in bounded chunks (a path is streamed, never read whole),
// decides its encoding, refuses binary files, and yields decoded text with every line break
// normalised to "\n" so that line numbers and the parser agree on what a line is.
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import type { CsvEncoding } from '../../shared/domain'
import { CsvImportError } from './csv-errors'

/** The file's bytes, or the path of a file to stream. */
export type CsvInput = Uint8Array | string

const CHUNK_BYTES = 1 << 20
/** How much of the head the binary check looks at. */
const SNIFF_BYTES = 64 * 1024

export async function* readBytes(input: CsvInput, chunkBytes = CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  if (typeof input !== 'string') {
    for (let at = 0; at < input.length; at += chunkBytes) yield input.subarray(at, at + chunkBytes)
    return
  }
  const stream = createReadStream(input, { highWaterMark: chunkBytes })
  try {
    for await (const chunk of stream) yield chunk as Buffer
  } catch (err) {
    throw unreadable(input, err)
  } finally {
    stream.destroy()
  }
}

function unreadable(path: string, err: unknown): CsvImportError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const why =
    code === 'ENOENT' ? 'no such file' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    code === 'EISDIR' ? 'it is a folder' :
    err instanceof Error ? err.message : String(err)
  return new CsvImportError('unreadable', `Cannot read "${basename(path)}": ${why}.`)
}

function bomEncoding(head: Uint8Array): CsvEncoding | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8'
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  return undefined
}

const NOT_TEXT = 'This is not a text/CSV file (it contains binary data).'

/** UTF-16 saved without a byte-order mark (some exporters do). A CSV's digits, delimiters and
 * line breaks are ASCII, whose UTF-16 code units have a NUL high byte: many NULs, all on the same
 * side of their pair (odd offsets: little-endian), and none on the other. Binary data has NULs
 * on both sides. */
export function sniffUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(Math.min(head.length, SNIFF_BYTES) / 2)
  if (pairs < 4) return undefined
  let oddNul = 0
  let evenNul = 0
  // High bytes of text come from a few scripts (0x00 Latin, 0x04 Cyrillic...): few values.
  const high: [Set<number>, Set<number>] = [new Set(), new Set()]
  for (let i = 0; i < pairs; i++) {
    const even = head[2 * i] as number
    const odd = head[2 * i + 1] as number
    if (even === 0) evenNul++
    if (odd === 0) oddNul++
    high[0].add(odd)
    high[1].add(even)
  }
  if (oddNul >= pairs * 0.3 && evenNul === 0 && high[0].size <= 8) return 'utf-16le'
  if (evenNul >= pairs * 0.3 && oddNul === 0 && high[1].size <= 8) return 'utf-16be'
  return undefined
}

/** Refuses workbooks and binary files by their head, before any of it is parsed as rows.
 * UTF-16 (announced by its BOM, or recognised by its pattern of NULs) is exempt: half its bytes
 * are NUL. */
function assertLooksLikeText(head: Uint8Array, encoding?: CsvEncoding): void {
  if (bomEncoding(head)?.startsWith('utf-16') || encoding?.startsWith('utf-16')) return
  const starts = (sig: number[]): boolean => sig.every((b, i) => head[i] === b)
  if (starts([0x50, 0x4b, 0x03, 0x04]) || starts([0xd0, 0xcf, 0x11, 0xe0])) {
    throw new CsvImportError(
      'not-text',
      'This is an Excel workbook, not a text/CSV file. Save it as "CSV UTF-8" or "CSV (semicolon delimited)" first.'
    )
  }
  const sample = head.subarray(0, SNIFF_BYTES)
  let controls = 0
  for (const b of sample) {
    if (b === 0) throw new CsvImportError('not-text', NOT_TEXT)
    // Tab, LF, FF and CR occur in text; other C0 controls and DEL almost never do.
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) controls++
  }
  // A stray control character or two (an old DOS end-of-file mark) is tolerated.
  if (controls >= 4 && controls > sample.length * 0.02) throw new CsvImportError('not-text', NOT_TEXT)
}

function countByte(bytes: Uint8Array, value: number): number {
  let n = 0
  for (let at = bytes.indexOf(value); at !== -1; at = bytes.indexOf(value, at + 1)) n++
  return n
}

export interface ByteScan {
  encoding: CsvEncoding
  byteLength: number
  /** Physical lines (LF, or CR in a CR-only file); multi-line cells count each of their lines. */
  lines: number
}

/** Reads the whole input once (bounded memory) to choose its encoding: a BOM decides; otherwise
 * strict UTF-8 if every byte sequence is valid, else Windows-1251 (which decodes any byte).
 * Checking only a prefix would misjudge files whose first Cyrillic comes late. */
export async function scanBytes(input: CsvInput): Promise<ByteScan> {
  let bom: CsvEncoding | undefined
  let byteLength = 0
  let lf = 0
  let cr = 0
  let last = -1
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  let utf8Valid = true
  for await (const bytes of readBytes(input)) {
    if (byteLength === 0) {
      bom = bomEncoding(bytes) ?? sniffUtf16(bytes)
      assertLooksLikeText(bytes, bom)
    } else if (!bom?.startsWith('utf-16') && bytes.includes(0)) {
      throw new CsvImportError('not-text', NOT_TEXT)
    }
    byteLength += bytes.length
    lf += countByte(bytes, 0x0a)
    cr += countByte(bytes, 0x0d)
    last = bytes[bytes.length - 1] ?? last
    if (utf8Valid && !bom?.startsWith('utf-16')) {
      try {
        utf8.decode(bytes, { stream: true })
      } catch {
        utf8Valid = false
      }
    }
  }
  if (utf8Valid && !bom?.startsWith('utf-16')) {
    try {
      utf8.decode()
    } catch {
      utf8Valid = false
    }
  }
  if (bom === 'utf-8' && !utf8Valid) {
    throw new CsvImportError('bad-encoding', 'The file starts with a UTF-8 byte-order mark but is not valid UTF-8.')
  }
  const breaks = Math.max(lf, cr)
  const lines = byteLength === 0 ? 0 : breaks + (last === 0x0a || last === 0x0d ? 0 : 1)
  return { encoding: bom ?? (utf8Valid ? 'utf-8' : 'windows-1251'), byteLength, lines }
}

export interface DecodeOptions {
  /** Sees every chunk of raw bytes (for hashing and counting). */
  onBytes?: (bytes: Uint8Array) => void
  /** Bytes read at a time (default 1 MiB). */
  chunkBytes?: number
}

/** Decoded text in chunks, BOM removed, "\r\n" and lone "\r" turned into "\n". Throws
 * CsvImportError 'empty' at the end when the input held no visible character. */
export async function* decodeText(input: CsvInput, encoding: CsvEncoding, options: DecodeOptions = {}): AsyncGenerator<string> {
  // fatal only for UTF-8: Windows-1251 maps every byte, and UTF-16 is trusted by its BOM.
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' })
  let offset = 0
  let carryCR = false
  let sawText = false
  const normalize = (text: string, final: boolean): string => {
    if (carryCR) text = '\r' + text
    carryCR = !final && text.endsWith('\r')
    if (carryCR) text = text.slice(0, -1)
    if (text.includes('\0')) throw new CsvImportError('not-text', NOT_TEXT)
    if (!sawText && /\S/.test(text)) sawText = true
    return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text
  }
  for await (let bytes of readBytes(input, options.chunkBytes)) {
    options.onBytes?.(bytes)
    if (offset === 0) {
      assertLooksLikeText(bytes, encoding)
      // TextDecoder drops a BOM of its own encoding; a UTF-8 BOM on a file forced to
      // Windows-1251 would otherwise turn into the letters "п»ї".
      if (encoding === 'windows-1251' && bomEncoding(bytes) === 'utf-8') bytes = bytes.subarray(3)
    }
    let text: string
    try {
      text = decoder.decode(bytes, { stream: true })
    } catch {
      throw badEncoding(encoding, offset)
    }
    offset += bytes.length
    text = normalize(text, false)
    if (text) yield text
  }
  let tail: string
  try {
    tail = decoder.decode()
  } catch {
    throw badEncoding(encoding, offset)
  }
  tail = normalize(tail, true)
  if (tail) yield tail
  if (!sawText) throw new CsvImportError('empty', 'The file is empty.')
}

function badEncoding(encoding: CsvEncoding, chunkStart: number): CsvImportError {
  return new CsvImportError(
    'bad-encoding',
    `The file is not valid ${encoding.toUpperCase()} (invalid bytes after byte ${chunkStart}). Choose another encoding, e.g. Windows-1251.`
  )
}
