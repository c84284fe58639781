// The main window's size and position, remembered between launches in a small JSON file in
// userData. The file is untrusted input (hand edits, a monitor unplugged since): it is validated,
// and the bounds are fitted onto a display that exists now so the window can never open off-screen.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export interface WindowState {
  /** Absent = let the OS centre the window. */
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

export const DEFAULT_SIZE = { width: 1200, height: 800 }
export const MIN_SIZE = { width: 860, height: 560 }

const coordinate = z.number().int().min(-100_000).max(100_000)
const stateSchema = z.object({
  x: coordinate.optional(),
  y: coordinate.optional(),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean().default(false)
})

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

/** Fits saved bounds onto the work areas of the current displays (the first one is the primary). */
export function fitToDisplays(state: WindowState, workAreas: Rect[]): WindowState {
  const primary = workAreas[0]
  if (!primary) return state
  const size = { width: Math.max(state.width, MIN_SIZE.width), height: Math.max(state.height, MIN_SIZE.height) }
  if (state.x === undefined || state.y === undefined) {
    return { width: Math.min(size.width, primary.width), height: Math.min(size.height, primary.height), maximized: state.maximized }
  }
  const rect = { x: state.x, y: state.y, ...size }
  let best: Rect | undefined
  let bestArea = 0
  for (const area of workAreas) {
    const o = overlap(rect, area)
    if (o > bestArea) {
      best = area
      bestArea = o
    }
  }
  // Nothing of it is visible any more (display gone or moved): centre it on the primary display.
  if (!best) {
    return { width: Math.min(size.width, primary.width), height: Math.min(size.height, primary.height), maximized: state.maximized }
  }
  const width = Math.min(size.width, best.width)
  const height = Math.min(size.height, best.height)
  const x = Math.min(Math.max(rect.x, best.x), best.x + best.width - width)
  const y = Math.min(Math.max(rect.y, best.y), best.y + best.height - height)
  return { x, y, width, height, maximized: state.maximized }
}

/** Reads the saved state; a missing or invalid file gives the default size. */
export function loadWindowState(file: string, workAreas: Rect[]): WindowState {
  let saved: WindowState = { ...DEFAULT_SIZE, maximized: false }
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    if (parsed.success) saved = parsed.data
  } catch {
    // first launch or unreadable file: defaults
  }
  return fitToDisplays(saved, workAreas)
}

/** Writes via a temp file and rename, so a crash mid-write cannot leave half a JSON behind. */
export function saveWindowState(file: string, state: WindowState): void {
  const valid = stateSchema.parse(state)
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  writeFileSync(tmp, JSON.stringify(valid))
  renameSync(tmp, file)
}
