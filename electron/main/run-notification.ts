// A desktop notification when a run ends (finished, paused, cancelled): clicking it brings the
// window forward on that run. Only Electron's Notification lives here; the text is run-notice.ts.
import { Notification } from 'electron'
import type { RunSummaryView } from '../shared/ipc'
import { runNotice } from './run-notice'

export function showRunNotification(run: RunSummaryView, locale: string, openRun: (runId: string) => void): void {
  if (!Notification.isSupported()) return
  const notice = runNotice(run, locale)
  if (!notice) return
  const n = new Notification({ title: notice.title, body: notice.body, silent: run.status === 'cancelled' })
  n.on('click', () => openRun(run.id))
  n.show()
}
