// Time as the governors and the runner see it. Injectable so tests can compress minutes of
// pacing into milliseconds, and abortable so a run that pauses during a ten-minute operating
// wait does not keep the process alive.

export interface Clock {
  /** Milliseconds, same scale as Date.now(). */
  now(): number
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

export const systemClock: Clock = { now: () => Date.now(), sleep: abortableSleep }

/** A clock from the loose pieces callers usually have (a `now` and maybe a `sleep`). */
export function makeClock(now?: () => number, sleep?: (ms: number, signal?: AbortSignal) => Promise<void>): Clock {
  return { now: now ?? systemClock.now, sleep: sleep ?? abortableSleep }
}
