import { describe, expect, it } from 'vitest'
import { checkOwnerId } from '../../../electron/core/triggers'
import { parseOwnerId } from '../../../electron/shared/owner-id'
import { CUSTOM_LIMITS, parseInRange } from '../../../electron/shared/run-limits'

describe('one owner-ID rule for the CSV check, the CLI and the Item ID field', () => {
  it.each([
    ['0', 'not-positive'],
    ['-7', 'not-positive'],
    ['6.6', 'not-integer'],
    ['1e3', 'not-integer'],
    ['', 'empty'],
    ['2147483648', 'too-large']
  ])('%j is refused as %s by both', (text, reason) => {
    expect(parseOwnerId(text)).toEqual({ ok: false, reason })
    const check = checkOwnerId(text)
    expect(check.ok ? 'ok' : check.issue.code).toBe(`owner-id-${reason}`)
  })

  it('a grouped ID ("12 345") means the same to both', () => {
    expect(parseOwnerId('12 345')).toEqual({ ok: true, id: 12345 })
    expect(checkOwnerId('12 345')).toEqual({ ok: true, value: 12345 })
  })
})

describe('custom limits are read exactly or refused', () => {
  it.each([
    ['0', 'too-small'],
    ['10001', 'too-large'],
    ['2.5', 'not-integer'],
    ['1e3', 'not-number'],
    ['Infinity', 'not-number'],
    [' ', 'empty']
  ])('burst %j → %s', (text, reason) => {
    expect(parseInRange(text, CUSTOM_LIMITS.burst)).toEqual({ ok: false, reason })
  })

  it('keeps decimals as typed, with either separator', () => {
    expect(parseInRange('0,5', CUSTOM_LIMITS.drainPerSec)).toEqual({ ok: true, value: 0.5 })
    expect(parseInRange('2.25', CUSTOM_LIMITS.drainPerSec)).toEqual({ ok: true, value: 2.25 })
    expect(parseInRange('0.05', CUSTOM_LIMITS.drainPerSec)).toEqual({ ok: false, reason: 'too-small' })
  })
})
