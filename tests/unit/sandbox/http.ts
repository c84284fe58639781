// Raw HTTP helpers for the sandbox tests (plain fetch: the REST client is tested elsewhere).
import { expect } from 'vitest'

export interface Answer {
  status: number
  body: Record<string, unknown>
  text: string
}

/** POSTs JSON to a REST URL (webhook base + method, or `${url}/rest/method` with `auth` in params). */
export async function post(url: string, params: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(params)
  })
  return read(res)
}

export async function get(url: string): Promise<Answer> {
  return read(await fetch(url))
}

export async function postForm(url: string, form: string): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })
  return read(res)
}

async function read(res: Response): Promise<Answer> {
  const text = await res.text()
  let body: Record<string, unknown> = {}
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    // Non-JSON bodies (fault pages) are inspected through `text`.
  }
  return { status: res.status, body, text }
}

/** A clock the test moves by hand. */
export function manualClock(startMs = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = startMs
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) }
}

export function expectError(a: Answer, status: number, code: string, description: string): void {
  expect({ status: a.status, error: a.body.error, error_description: a.body.error_description }).toEqual({
    status,
    error: code,
    error_description: description
  })
}
