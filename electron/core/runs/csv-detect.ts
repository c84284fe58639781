// Guesses from a file's first rows: the delimiter, whether row 1 is a header, and which columns
// hold the owner ID, owner type and trigger code. Guesses only: the preview lets the user
// override each one.
import Papa from 'papaparse'
import { CSV_DELIMITERS, type CsvDelimiter } from '../../shared/domain'
import type { OwnerTypeResolver } from './csv-verdicts'
import { looksNumeric } from './owner-ids'

const SAMPLE_ROWS = 50

/** The first of ; tab , | (in that order) that splits the sample into a steady number of
 * columns, at least two. Priority matters: in "ID;Сумма, руб" both ; and , split evenly, and a
 * Russian Excel export means ;. A one-column list has no delimiter: null. */
export function detectDelimiter(sample: string): CsvDelimiter | null {
  for (const delimiter of CSV_DELIMITERS) {
    const rows = Papa.parse<string[]>(sample, { delimiter, newline: '\n', preview: SAMPLE_ROWS, skipEmptyLines: 'greedy' }).data
    if (isSteady(rows.map((r) => r.length))) return delimiter
  }
  return null
}

function isSteady(widths: number[]): boolean {
  const freq = new Map<number, number>()
  for (const w of widths) freq.set(w, (freq.get(w) ?? 0) + 1)
  let mode = 0
  let modeCount = 0
  for (const [width, n] of freq) {
    if (n > modeCount) {
      mode = width
      modeCount = n
    }
  }
  return mode >= 2 && modeCount >= widths.length * 0.8
}

export interface LayoutGuess {
  hasHeader: boolean
  idColumn?: number
  ownerTypeColumn?: number
  codeColumn?: number
}

function normalizeName(cell: string): string {
  return cell
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[\s_\-.:"'()]+/g, ' ')
    .trim()
}

const TYPE_NAMES = ['owner type id', 'owner type', 'ownertypeid', 'ownertype', 'entity type id', 'entity type', 'entitytypeid',
  'тип сущности', 'тип владельца', 'тип объекта', 'тип элемента']
// A bare "Тип"/"Type" is also the deal-type column of a CRM export ("Продажа"), so it counts only
// when its values resolve as owner types.
const BARE_TYPE_NAMES = ['type', 'тип']
const CODE_NAMES = ['trigger code', 'triggercode', 'code', 'trigger', 'код триггера', 'код', 'триггер']
const ID_NAMES = ['owner id', 'ownerid', 'id', 'ид', 'entity id', 'item id', 'element id', 'идентификатор', 'id элемента', 'ид элемента']
// "Deal ID", "ID сделки": any other name with the word ID, after the exact ones.
const ID_WORD = /(^| )(id|ид)( |$)/

/** The untaken column whose name ranks best (lowest); names that do not match rank Infinity. */
function byName(names: string[], rank: (name: string, index: number) => number, taken: Set<number>): number | undefined {
  let best: number | undefined
  let bestRank = Infinity
  names.forEach((name, i) => {
    const r = taken.has(i) ? Infinity : rank(name, i)
    if (r < bestRank) {
      best = i
      bestRank = r
    }
  })
  return best
}

const listRank = (list: string[]) => (name: string): number => {
  const i = list.indexOf(name)
  return i === -1 ? Infinity : i
}
const idRank = (name: string): number => {
  const i = ID_NAMES.indexOf(name)
  return i !== -1 ? i : ID_WORD.test(name) ? ID_NAMES.length : Infinity
}

/** The first column whose non-empty cells are mostly whole numbers. */
function numericColumn(rows: string[][], taken: Set<number>): number | undefined {
  const width = Math.max(0, ...rows.map((r) => r.length))
  for (let col = 0; col < width; col++) {
    if (taken.has(col)) continue
    const cells = rows.map((r) => (r[col] ?? '').trim()).filter((c) => c !== '')
    if (cells.length > 0 && cells.filter(looksNumeric).length >= cells.length * 0.6) return col
  }
  return undefined
}

/** `rows`: the file's first rows as parsed. `hasHeader` forces the header decision; with
 * `resolveOwnerType`, a column named just "Type"/"Тип" is taken when its values are owner types. */
export function guessLayout(rows: string[][], hasHeader?: boolean, resolveOwnerType?: OwnerTypeResolver): LayoutGuess {
  const first = rows[0] ?? []
  const names = first.map(normalizeName)
  const taken = new Set<number>()
  const bareType = (col: number): boolean => {
    const cells = rows.slice(1).map((r) => (r[col] ?? '').trim()).filter((c) => c !== '')
    return resolveOwnerType !== undefined && cells.length > 0 && cells.filter((c) => resolveOwnerType(c) !== undefined).length >= cells.length * 0.8
  }
  const ownerTypeColumn =
    byName(names, listRank(TYPE_NAMES), taken) ?? byName(names, (n, i) => (BARE_TYPE_NAMES.includes(n) && bareType(i) ? 0 : Infinity), taken)
  if (ownerTypeColumn !== undefined) taken.add(ownerTypeColumn)
  const codeColumn = byName(names, listRank(CODE_NAMES), taken)
  if (codeColumn !== undefined) taken.add(codeColumn)
  const namedId = byName(names, idRank, taken)
  const named = ownerTypeColumn !== undefined || codeColumn !== undefined || namedId !== undefined

  const below = rows.slice(1)
  // Row 1 is a header if it names a column we know, or if it is text where the rows below
  // hold numbers ("Сделки" above a column of IDs).
  let header = hasHeader ?? named
  if (hasHeader === undefined && !named) {
    const col = numericColumn(below, taken)
    const cell = col === undefined ? '' : (first[col] ?? '').trim()
    header = col !== undefined && cell !== '' && !looksNumeric(cell)
  }
  if (!header) {
    const idColumn = numericColumn(rows, new Set()) ?? (Math.max(0, ...rows.map((r) => r.length)) === 1 ? 0 : undefined)
    return idColumn === undefined ? { hasHeader: false } : { hasHeader: false, idColumn }
  }
  const idColumn = namedId ?? numericColumn(below, taken)
  return {
    hasHeader: true,
    ...(idColumn !== undefined ? { idColumn } : {}),
    ...(ownerTypeColumn !== undefined ? { ownerTypeColumn } : {}),
    ...(codeColumn !== undefined ? { codeColumn } : {})
  }
}

/** When the detected delimiter (or none) leaves other delimiters splitting many lines, e.g. a
 * file glued together from a ";" export and a "," export: the delimiters seen, else undefined.
 * Counted per line outside quotes; a delimiter counts when it splits at least a fifth of the
 * lines but not (nearly) all of them, or when none was detected at all. */
export function mixedDelimiters(sample: string, detected: CsvDelimiter | null): CsvDelimiter[] | undefined {
  const lines = sample.split('\n').filter((l) => l.trim() !== '').slice(0, SAMPLE_ROWS)
  if (lines.length < 2) return undefined
  const seen = CSV_DELIMITERS.filter((d) => {
    const n = lines.filter((l) => l.replace(/"[^"]*"/g, '').includes(d)).length
    return n >= lines.length * 0.2 && (detected === null || n < lines.length * 0.95)
  })
  const others = seen.filter((d) => d !== detected)
  if (others.length === 0 || (detected === null && seen.length < 2)) return undefined
  return detected === null ? seen : [detected, ...others]
}
