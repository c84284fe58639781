// Which rows go into the next batch. Rows are taken in file order, except rows that came back
// (rejected before running, or their batch never reached the portal), which go first. A row
// whose owner is already in flight waits: the same item is never fired twice in parallel
// (reference §7), and two triggers on one item within a batch would race its stage too.
import type { RowTable } from './row-table'

export class BatchPlanner {
  private cursor = 0
  /** Rows to take before the cursor's: returned rows and rows whose owner was busy. */
  private readonly waiting: number[] = []
  private readonly busyOwners = new Set<number>()
  /** Pending rows not in flight. */
  private remainingRows = 0
  /** When set, a row may only be taken once its stage was read (verification). */
  private readonly checked: Uint8Array | undefined

  constructor(private readonly table: RowTable, opts: { gateOnCheck: boolean }) {
    for (let i = 0; i < table.rowsLoaded; i++) if (table.isPending(i)) this.remainingRows++
    this.checked = opts.gateOnCheck ? new Uint8Array(table.size) : undefined
  }

  /** Pending rows not in flight. */
  get remaining(): number {
    return this.remainingRows
  }

  /** Up to `limit` rows that `take` would hand out now. */
  ready(limit: number): number {
    return this.pick(limit, false).length
  }

  /** Hands out up to `n` rows and marks their owners busy until `finished`. */
  take(n: number): number[] {
    const rows = this.pick(n, true)
    this.remainingRows -= rows.length
    return rows
  }

  /** The rows' batch is over (whatever became of them): their owners are free again. */
  finished(rows: readonly number[]): void {
    for (const r of rows) this.busyOwners.delete(this.table.ownerKey(r))
  }

  /** Rows that are pending again; they go ahead of the rows not yet sent. */
  giveBack(rows: readonly number[]): void {
    this.waiting.unshift(...rows)
    this.remainingRows += rows.length
  }

  /** Pending rows the planner no longer hands out (cancel): they become not-run. */
  drain(): number[] {
    const rows: number[] = []
    const seen = new Set<number>()
    for (const r of this.waiting) {
      if (!this.table.isPending(r) || this.table.open[r] || seen.has(r)) continue
      seen.add(r)
      rows.push(r)
    }
    for (let i = this.cursor; i < this.table.rowsLoaded; i++) if (this.table.isPending(i) && !this.table.open[i] && !seen.has(i)) rows.push(i)
    this.waiting.length = 0
    this.cursor = this.table.rowsLoaded
    this.remainingRows = 0
    return rows
  }

  // ---- verification gate ----

  /** The next pending rows (in take order) whose stage has not been read, up to `limit`,
   * skipping rows already being read. */
  uncheckedAhead(limit: number, reading: ReadonlySet<number>): number[] {
    const out: number[] = []
    if (!this.checked) return out
    for (const r of this.waiting) {
      if (out.length >= limit) return out
      if (this.table.isPending(r) && !this.checked[r] && !reading.has(r)) out.push(r)
    }
    for (let i = this.cursor; i < this.table.rowsLoaded && out.length < limit; i++) {
      if (this.table.isPending(i) && !this.table.open[i] && !this.checked[i] && !reading.has(i)) out.push(i)
    }
    return out
  }

  /** Rows ready to take (checked), counted from the cursor, up to `limit`. */
  checkedAhead(limit: number): number {
    if (!this.checked) return limit
    let n = 0
    for (const r of this.waiting) if (this.table.isPending(r) && this.checked[r] && ++n >= limit) return n
    for (let i = this.cursor; i < this.table.rowsLoaded && n < limit; i++) {
      if (!this.table.isPending(i) || this.table.open[i]) continue
      if (!this.checked[i]) break
      n++
    }
    return n
  }

  markChecked(rows: readonly number[]): void {
    if (this.checked) for (const r of rows) this.checked[r] = 1
  }

  private pick(n: number, commit: boolean): number[] {
    const out: number[] = []
    const owners = new Set<number>()
    const usable = (r: number): 'yes' | 'skip' | 'busy' | 'gate' => {
      if (!this.table.isPending(r) || this.table.open[r]) return 'skip'
      if (this.checked && !this.checked[r]) return 'gate'
      const key = this.table.ownerKey(r)
      return this.busyOwners.has(key) || owners.has(key) ? 'busy' : 'yes'
    }
    const grab = (r: number): void => {
      out.push(r)
      owners.add(this.table.ownerKey(r))
    }
    let w = 0
    const keep: number[] = []
    for (; w < this.waiting.length && out.length < n; w++) {
      const r = this.waiting[w] as number
      const u = usable(r)
      if (u === 'yes') grab(r)
      else if (u !== 'skip') keep.push(r)
    }
    let c = this.cursor
    const busy: number[] = []
    while (out.length < n && c < this.table.rowsLoaded) {
      const u = usable(c)
      if (u === 'gate') break
      if (u === 'yes') grab(c)
      else if (u === 'busy') busy.push(c)
      c++
    }
    if (commit) {
      this.waiting.splice(0, w, ...keep)
      this.waiting.push(...busy)
      this.cursor = c
      for (const key of owners) this.busyOwners.add(key)
    }
    return out
  }
}
