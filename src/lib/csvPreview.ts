// What the preview shows for the admin's header choice. The inspection's previewRows are the
// file's first rows as parsed, header row included, so overruling detection needs no new call.
import type { CsvInspection } from '@/lib/contract'

/** The admin's column choices while they are being made (null = not chosen / use the default). */
export interface MappingDraft {
  idColumn: number | null
  ownerTypeColumn: number | null
  codeColumn: number | null
  hasHeader: boolean
}

export interface PreviewTable {
  columnNames: string[]
  rows: string[][]
  /** The file line of each shown row, when the main process gave them. */
  lines: (number | undefined)[]
}

export function previewTable(inspection: CsvInspection, hasHeader: boolean, genericName: (n: number) => string): PreviewTable {
  const width = Math.max(inspection.columns.length, ...inspection.previewRows.map((r) => r.length), 1)
  const generic = Array.from({ length: width }, (_, i) => genericName(i + 1))
  const lines = inspection.previewRows.map((_, i) => inspection.previewLines?.[i])
  if (!hasHeader) return { columnNames: generic, rows: inspection.previewRows, lines }
  const [first = [], ...rest] = inspection.previewRows
  return {
    columnNames: generic.map((g, i) => (first[i]?.trim() ? first[i]! : g)),
    rows: rest,
    lines: lines.slice(1)
  }
}

/** Pasted text as a source: one ID per line, or whatever separator the admin used. */
export function pastedIdsCount(text: string): number {
  return text.split(/[\s,;]+/).filter((t) => t !== '').length
}
