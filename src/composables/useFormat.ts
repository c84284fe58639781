// The formatting helpers bound to the current locale, for templates.
import { useI18n } from 'vue-i18n'
import { durationParts, formatSeconds } from '@/lib/duration'
import { formatCount, formatDateTime, formatCompactDateTime, formatRate, formatShortDate, formatShortTime, formatTime } from '@/lib/format'

export function useFormat() {
  const { t, locale } = useI18n()
  return {
    count: (n: number) => formatCount(n, locale.value),
    rate: (n: number) => formatRate(n, locale.value),
    seconds: (s: number) => t('duration.seconds', { s: formatSeconds(s, locale.value) }),
    duration: (s: number) => {
      const p = durationParts(s)
      return t(`duration.${p.key}`, { h: p.h, m: p.m, s: p.s })
    },
    dateTime: (iso?: string) => formatDateTime(iso, locale.value),
    time: (iso?: string) => formatTime(iso, locale.value),
    compactDateTime: (iso?: string) => formatCompactDateTime(iso, locale.value),
    date: (iso?: string) => formatShortDate(iso, locale.value),
    timeShort: (iso?: string) => formatShortTime(iso, locale.value)
  }
}
