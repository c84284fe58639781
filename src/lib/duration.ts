// Durations for ETA, countdowns and timings. Pure: the words come from i18n
// (`duration.<key>` with {h}, {m}, {s}), the numbers from here.

export interface DurationParts {
  key: 'h' | 'm' | 's'
  h: number
  m: number
  s: number
}

/** Splits whole seconds into the two most significant units an admin needs ("2 h 5 min", "4 min 10 s", "12 s"). */
export function durationParts(totalSeconds: number): DurationParts {
  const total = Math.max(0, Math.round(totalSeconds))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return { key: h > 0 ? 'h' : m > 0 ? 'm' : 's', h, m, s }
}

/** A ticking countdown: "4:05", "1:02:05". */
export function clock(totalSeconds: number): string {
  const total = Math.max(0, Math.ceil(totalSeconds))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** Seconds with up to two decimals in the user's locale ("13,29" in Russian). */
export function formatSeconds(seconds: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: seconds < 10 ? 2 : 1 }).format(seconds)
}
