// Line numbers as a person reads and types them back into a spreadsheet's filter: "3, 7, 12–15".

export function lineRanges(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}–${b}`)).join(', ')
}
