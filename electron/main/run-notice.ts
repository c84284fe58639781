// What the desktop notification says when a run ends (shown by run-notification.ts through
// Electron's Notification). Plain Node, so it is tested without Electron. The app's language
// follows the OS locale here, as main has no access to the renderer's setting.
import type { RunSummaryView } from '../shared/ipc'

export interface RunNotice {
  title: string
  body: string
}

const EN = {
  finished: 'Run finished',
  finishedIssues: 'Run finished with problems',
  paused: 'Run paused',
  cancelled: 'Run cancelled',
  counts: (c: RunSummaryView['counts']): string =>
    [`${c.succeeded} succeeded`, c.failed ? `${c.failed} failed` : '', c.uncertain ? `${c.uncertain} uncertain` : '', c.skipped ? `${c.skipped} skipped` : '', c['not-run'] ? `${c['not-run']} not run` : '']
      .filter(Boolean)
      .join(', ')
}

const RU = {
  finished: 'Запуск завершён',
  finishedIssues: 'Запуск завершён с проблемами',
  paused: 'Запуск приостановлен',
  cancelled: 'Запуск отменён',
  counts: (c: RunSummaryView['counts']): string =>
    [`успешно: ${c.succeeded}`, c.failed ? `с ошибкой: ${c.failed}` : '', c.uncertain ? `неизвестно: ${c.uncertain}` : '', c.skipped ? `пропущено: ${c.skipped}` : '', c['not-run'] ? `не запущено: ${c['not-run']}` : '']
      .filter(Boolean)
      .join(', ')
}

/** The notice for a run that stopped, or undefined while it is still running. */
export function runNotice(run: RunSummaryView, locale = 'en'): RunNotice | undefined {
  const t = locale.toLowerCase().startsWith('ru') ? RU : EN
  const counts = t.counts(run.counts)
  const where = `${run.sourceName} · ${run.profileName}`
  switch (run.status) {
    case 'finished': {
      const issues = run.counts.failed > 0 || run.counts.uncertain > 0
      return { title: issues ? t.finishedIssues : t.finished, body: `${where}\n${counts}` }
    }
    case 'paused':
      return { title: t.paused, body: `${where}\n${run.pauseReason ? `${run.pauseReason}\n` : ''}${counts}` }
    case 'cancelled':
      return { title: t.cancelled, body: `${where}\n${counts}` }
    default:
      return undefined
  }
}
