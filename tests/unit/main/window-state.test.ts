import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_SIZE, MIN_SIZE, fitToDisplays, loadWindowState, saveWindowState } from '../../../electron/main/window-state'

const primary = { x: 0, y: 0, width: 1920, height: 1040 }
const right = { x: 1920, y: 0, width: 1280, height: 984 }
let dir: string | undefined

function tmp(): string {
  dir = mkdtempSync(join(tmpdir(), 'b24tr-ws-'))
  return join(dir, 'window-state.json')
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

describe('fitToDisplays', () => {
  it('keeps a window that is fully on a display', () => {
    const s = { x: 2000, y: 50, width: 1000, height: 700, maximized: false }
    expect(fitToDisplays(s, [primary, right])).toEqual(s)
  })

  it('drops the position of a window whose display is gone', () => {
    const s = fitToDisplays({ x: 3500, y: 100, width: 1000, height: 700, maximized: true }, [primary])
    expect(s).toEqual({ width: 1000, height: 700, maximized: true })
  })

  it('pulls a half-visible window back inside and shrinks it to the display', () => {
    const s = fitToDisplays({ x: 1700, y: -40, width: 1600, height: 1200, maximized: false }, [primary, right])
    // Most of it overlaps the right display, which is smaller than the window.
    expect(s).toEqual({ x: 1920, y: 0, width: 1280, height: 984, maximized: false })
  })

  it('enforces the minimum size', () => {
    const s = fitToDisplays({ x: 10, y: 10, width: 100, height: 100, maximized: false }, [primary])
    expect(s.width).toBe(MIN_SIZE.width)
    expect(s.height).toBe(MIN_SIZE.height)
  })
})

describe('loadWindowState / saveWindowState', () => {
  it('round-trips through the file', () => {
    const file = tmp()
    saveWindowState(file, { x: 100, y: 80, width: 1100, height: 750, maximized: false })
    expect(loadWindowState(file, [primary])).toEqual({ x: 100, y: 80, width: 1100, height: 750, maximized: false })
  })

  it('falls back to the default size for a missing, broken or hostile file', () => {
    const file = tmp()
    expect(loadWindowState(file, [primary])).toEqual({ ...DEFAULT_SIZE, maximized: false })
    writeFileSync(file, '{not json')
    expect(loadWindowState(file, [primary])).toEqual({ ...DEFAULT_SIZE, maximized: false })
    writeFileSync(file, JSON.stringify({ x: 'a', y: 1e12, width: -5, height: 'big' }))
    expect(loadWindowState(file, [primary])).toEqual({ ...DEFAULT_SIZE, maximized: false })
  })

  it('refuses to write nonsense', () => {
    const file = tmp()
    expect(() => saveWindowState(file, { x: 1.5, y: 0, width: Number.NaN, height: 10, maximized: false })).toThrow()
    expect(() => readFileSync(file)).toThrow()
  })
})
