// Locale-aware numbers and dates (Russian groups thousands with a space, English with a comma).

export function formatCount(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n)
}

export function formatRate(perSecond: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: perSecond < 10 ? 1 : 0 }).format(perSecond)
}

export function formatDateTime(iso: string | undefined, locale: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

export function percent(done: number, total: number): number {
  if (total <= 0) return 0
  return Math.min(100, Math.floor((done / total) * 1000) / 10)
}

/** Date and minutes, compact: for table cells. */
export function formatCompactDateTime(iso: string | undefined, locale: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(d)
}

/** Time of day with seconds: for per-row times whose date the tooltip gives. */
export function formatTime(iso: string | undefined, locale: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }).format(d)
}

/** The date alone, short ("30.11.2026", "11/30/26"): for a table cell with the time below it. */
export function formatShortDate(iso: string | undefined, locale: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short' }).format(d)
}

/** Hours and minutes. */
export function formatShortTime(iso: string | undefined, locale: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(d)
}
