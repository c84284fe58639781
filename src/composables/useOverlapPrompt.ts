// Before a run starts: were some of its rows sent already by a recent run of the same trigger on
// the same portal (a half-finished file opened again, IDs pasted twice)? If so the admin chooses:
// skip them, send them all again, or not start. Nothing is ever re-fired without that choice.
import { h } from 'vue'
import { useI18n } from 'vue-i18n'
import { NButton, useDialog } from 'naive-ui'
import type { RunOverlap } from '@/lib/contract'
import { useFormat } from '@/composables/useFormat'
import { useRunsStore } from '@/stores/runs'

export type OverlapChoice = 'skip' | 'include' | 'abort'

export function useOverlapPrompt() {
  const { t } = useI18n()
  const fmt = useFormat()
  const runs = useRunsStore()
  const dialog = useDialog()

  function ask(overlap: RunOverlap, toSend: number): Promise<OverlapChoice> {
    return new Promise((resolve) => {
      let settled = false
      const done = (choice: OverlapChoice): void => {
        if (settled) return
        settled = true
        d.destroy()
        resolve(choice)
      }
      const d = dialog.warning({
        title: toSend === 0 ? t('finish.overlapTitleAll') : t('finish.overlapTitle'),
        style: 'width: min(600px, 92vw)',
        content: () =>
          h('div', { 'data-testid': 'overlap-prompt', 'data-rows': String(overlap.rows) }, [
            h(
              'p',
              { class: 'overlap-body' },
              t('finish.overlapBody', { n: fmt.count(overlap.rows), succeeded: fmt.count(overlap.succeeded), uncertain: fmt.count(overlap.uncertain) })
            ),
            h(
              'ul',
              { class: 'overlap-runs' },
              overlap.runs.slice(0, 5).map((r) => h('li', t('finish.overlapRun', { date: fmt.dateTime(r.createdAt), source: r.sourceName, n: fmt.count(r.rows) })))
            ),
            toSend === 0 ? h('p', { 'data-testid': 'overlap-nothing-new' }, t('finish.overlapNothingNew')) : null
          ]),
        onClose: () => done('abort'),
        onMaskClick: () => done('abort'),
        onEsc: () => done('abort'),
        action: () =>
          h('div', { class: 'overlap-actions', style: 'display:flex;flex-wrap:wrap;gap:8px;justify-content:flex-end' }, [
            h(NButton, { size: 'small', onClick: () => done('abort'), 'data-testid': 'overlap-abort' }, () => t('finish.overlapCancel')),
            h(NButton, { size: 'small', type: 'warning', secondary: true, onClick: () => done('include'), 'data-testid': 'overlap-include' }, () =>
              t('finish.overlapInclude', { n: fmt.count(overlap.rows) })
            ),
            // With nothing left, skipping still closes the run (every row skipped, naming the run
            // that sent it): said as that, never as "send the other 0".
            h(NButton, { size: 'small', type: 'primary', onClick: () => done('skip'), 'data-testid': 'overlap-skip' }, () =>
              toSend > 0 ? t('finish.overlapSkip', { n: fmt.count(toSend) }) : t('finish.overlapSkipNone')
            )
          ])
      })
    })
  }

  /** Sends a run's pending rows (`go`: start or resume) after asking, when some of them were
   * already sent by a recent run: for a run never sent, any recent run; for a paused or
   * interrupted one, the runs started after it (the same file reopened and sent meanwhile).
   * Resolves false when the admin chose not to send (the run stays as it was). */
  async function sendChecked(runId: string, go: (id: string) => Promise<unknown>): Promise<boolean> {
    const overlap = await runs.overlap(runId)
    if (overlap) {
      const summary = runs.byId(runId) ?? (await runs.get(runId))
      const choice = await ask(overlap, Math.max(0, summary.counts.pending - overlap.rows))
      if (choice === 'abort') return false
      if (choice === 'skip') await runs.skipDone(runId)
    }
    await go(runId)
    return true
  }

  const startChecked = (runId: string): Promise<boolean> => sendChecked(runId, runs.start)
  const resumeChecked = (runId: string): Promise<boolean> => sendChecked(runId, runs.resume)

  return { startChecked, resumeChecked }
}
