// The verdict of every input row: valid, or skipped with a reason. Shared by the CSV import and
// pasted lists so both judge IDs, owner types, codes and duplicates the same way.
import { SKIP_REASONS, type ImportDefaults, type ImportedRow, type ImportSummary, type RowVerdict, type SkipReason } from '../../shared/domain'
import { TRIGGER_CODE_PATTERN } from '../triggers/validation'
import { CsvImportError } from './csv-errors'
import { parseOwnerId } from './owner-ids'
import { ownerIdProblemText } from '../../shared/owner-id'

export const DEFAULT_MAX_ROWS = 1_000_000

/** Owner type from a cell, by id or symbol (2, DEAL, deal, D, T80): its id; `{ unsupported }`
 * for a type that exists but cannot run triggers; undefined when unknown. */
export type OwnerTypeResolver = (raw: string) => number | { unsupported: number } | undefined

/** The portal's CODE rule: its mask, and not "0" (PHP empty() treats it as missing). */
export function isValidTriggerCode(code: string): boolean {
  return code !== '0' && TRIGGER_CODE_PATTERN.test(code)
}

/** Verdicts about the owner-ID cell itself: for these, `raw` is that cell. */
export const ID_VERDICTS: ReadonlySet<RowVerdict> = new Set<RowVerdict>(['not-integer', 'not-positive', 'too-large'])

const RAW_LIMIT = 100
/** Distinct cell values remembered per column; beyond it, cells are resolved each time. */
const MEMO_LIMIT = 10_000

/** Cells are substrings of the chunk they were parsed from, and V8 keeps the whole chunk alive
 * for as long as such a slice lives. Anything kept past the row is copied out. */
export function detach(text: string): string {
  // V8 copies strings this short instead of slicing.
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8')
}

export class RowJudge {
  readonly rows: ImportedRow[] = []
  private total = 0
  private valid = 0
  private blankLines = 0
  private readonly byReason = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>
  /** code -> ownerTypeId -> ownerId -> line of the first valid row */
  private readonly firstLine = new Map<string, Map<number, Map<number, number>>>()
  private readonly typeMemo = new Map<string, ReturnType<OwnerTypeResolver>>()
  private readonly codeMemo = new Map<string, string | undefined>()

  constructor(
    private readonly defaults: ImportDefaults,
    private readonly maxRows: number = DEFAULT_MAX_ROWS,
    private readonly resolveOwnerType?: OwnerTypeResolver
  ) {
    checkDefaults(defaults)
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new CsvImportError('bad-mapping', `The row limit must be a positive whole number (got ${maxRows}).`)
  }

  /** Judges one data row from its cells (undefined: no such column). */
  judge(line: number, idCell: string, typeCell?: string, codeCell?: string): void {
    this.count()
    const idText = idCell.trim()
    const id = parseOwnerId(idText)
    if (!id.ok) return this.skip({ line, idText }, id.reason, id.reason === 'empty' ? undefined : idText)
    const ownerId = id.id

    let ownerTypeId = this.defaults.ownerTypeId
    const typeText = typeCell?.trim()
    if (typeText) {
      const resolved = this.ownerType(typeText)
      if (resolved === undefined) return this.skip({ line, idText, ownerId }, 'unknown-owner-type', typeText)
      if (typeof resolved !== 'number') {
        return this.skip({ line, idText, ownerId, ownerTypeId: resolved.unsupported }, 'unsupported-owner-type', typeText)
      }
      ownerTypeId = resolved
    } else if (ownerTypeId === undefined) {
      return this.skip({ line, idText, ownerId }, 'missing-owner-type')
    }

    let code = this.defaults.code
    const codeText = codeCell?.trim()
    if (codeText) {
      code = this.code(codeText)
      if (code === undefined) return this.skip({ line, idText, ownerId, ownerTypeId }, 'bad-code', codeText)
    } else if (code === undefined) {
      return this.skip({ line, idText, ownerId, ownerTypeId }, 'missing-code')
    }

    let byType = this.firstLine.get(code)
    if (!byType) this.firstLine.set(code, (byType = new Map()))
    let byId = byType.get(ownerTypeId)
    if (!byId) byType.set(ownerTypeId, (byId = new Map()))
    const first = byId.get(ownerId)
    if (first !== undefined) {
      this.byReason.duplicate++
      this.rows.push({ line, ownerId, ownerTypeId, code, verdict: 'duplicate', duplicateOf: first, idCell: cut(idText) })
      return
    }
    byId.set(ownerId, line)
    this.valid++
    this.rows.push({ line, ownerId, ownerTypeId, code, verdict: 'valid' })
  }

  /** A line with nothing in it (every cell blank): passed over, neither a row nor a skip. A
   * spreadsheet saved with trailing empty rows would otherwise report them as "empty ID". */
  blank(): void {
    this.blankLines++
  }

  /** A row the reader could not split into cells. */
  unreadable(line: number, reason: 'too-long' | 'bad-quotes'): void {
    this.count()
    this.skip({ line, idText: '' }, reason)
  }

  summary(): ImportSummary {
    const summary: ImportSummary = { total: this.total, valid: this.valid, skipped: this.total - this.valid, byReason: { ...this.byReason } }
    if (this.blankLines > 0) summary.blankLines = this.blankLines
    return summary
  }

  private count(): void {
    if (++this.total > this.maxRows) {
      throw new CsvImportError(
        'too-many-rows',
        `The input has more than ${this.maxRows.toLocaleString('en-US')} rows, the limit. Split it into smaller files.`
      )
    }
  }

  private skip(at: { line: number; idText: string; ownerId?: number; ownerTypeId?: number }, reason: SkipReason, raw?: string): void {
    this.byReason[reason]++
    const row: ImportedRow = { line: at.line, ownerId: at.ownerId ?? 0, ownerTypeId: at.ownerTypeId ?? 0, code: '', verdict: reason }
    if (raw !== undefined) row.raw = cut(raw)
    // The same string when the ID cell is the offending one: kept once in memory.
    if (at.idText !== '') row.idCell = raw === at.idText && row.raw !== undefined ? row.raw : cut(at.idText)
    this.rows.push(row)
  }

  private ownerType(text: string): ReturnType<OwnerTypeResolver> {
    return memoized(this.typeMemo, text, () => {
      const found = this.resolveOwnerType?.(text)
      const id = typeof found === 'object' ? found.unsupported : found
      return id !== undefined && Number.isInteger(id) && id > 0 ? found : undefined
    })
  }

  private code(text: string): string | undefined {
    return memoized(this.codeMemo, text, () => (isValidTriggerCode(text) ? detach(text) : undefined))
  }
}

/** A cell kept past its row: bounded, and detached from the chunk it was parsed from. */
function cut(text: string): string {
  return detach(text.length > RAW_LIMIT ? text.slice(0, RAW_LIMIT) : text)
}

/** Columns repeat a handful of values (DEAL, 2, the same code) across a million rows. */
function memoized<T>(memo: Map<string, T | undefined>, key: string, compute: () => T | undefined): T | undefined {
  if (memo.has(key)) return memo.get(key)
  const value = compute()
  if (memo.size < MEMO_LIMIT && key.length <= RAW_LIMIT) memo.set(detach(key), value)
  return value
}

function checkDefaults(defaults: ImportDefaults): void {
  const { ownerTypeId, code } = defaults
  if (ownerTypeId !== undefined && !(Number.isInteger(ownerTypeId) && ownerTypeId > 0)) {
    throw new CsvImportError('bad-default', `The default owner type must be a positive whole number (got ${ownerTypeId}).`)
  }
  if (code !== undefined && !isValidTriggerCode(code)) {
    throw new CsvImportError(
      'bad-default',
      `The default trigger code "${code}" is not allowed: use Latin letters, digits, ".", "-" and "_", and not "0".`
    )
  }
}

/** The English text of a row's verdict (the renderer translates by `verdict` instead). */
export function verdictText(row: ImportedRow): string {
  const raw = row.raw ?? ''
  switch (row.verdict) {
    case 'valid':
      return 'valid'
    case 'empty':
      return 'no owner ID in this row'
    case 'not-integer':
    case 'not-positive':
    case 'too-large':
      // The same words the CLI's --id and the renderer's rule use (electron/shared/owner-id).
      return ownerIdProblemText(row.verdict, raw)
    case 'unknown-owner-type':
      return `unknown owner type "${raw}"`
    case 'unsupported-owner-type':
      return `owner type "${raw}" has no automation triggers: the portal would answer true and do nothing`
    case 'missing-owner-type':
      return 'no owner type: the cell is empty and no default owner type is set'
    case 'bad-code':
      return `trigger code "${raw}" is not allowed (Latin letters, digits, ".", "-", "_"; not "0")`
    case 'missing-code':
      return 'no trigger code: the cell is empty and no default code is set'
    case 'duplicate':
      return `duplicate of line ${row.duplicateOf}`
    case 'too-long':
      return 'the row is too long to read (over the row size limit)'
    case 'bad-quotes':
      return 'malformed quotes: a quoted field is not closed properly'
  }
}
