// The run-ended notification's text, in English and Russian, for each way a run stops.
import { describe, expect, it } from 'vitest'
import type { RunSummaryView } from '../../../electron/shared/ipc'
import { runNotice } from '../../../electron/main/run-notice'

function run(status: RunSummaryView['status'], counts: Partial<RunSummaryView['counts']> = {}, extra: Partial<RunSummaryView> = {}): RunSummaryView {
  return {
    id: 'r1',
    createdAt: '2026-01-01T00:00:00Z',
    profileId: 'p',
    profileName: 'Shop',
    portalUrl: 'https://x.bitrix24.com',
    kind: 'app',
    sourceName: 'deals.xlsx',
    status,
    counts: { total: 10, pending: 0, succeeded: 10, failed: 0, uncertain: 0, skipped: 0, 'not-run': 0, ...counts },
    verify: false,
    ...extra
  }
}

describe('runNotice', () => {
  it('says how the run ended, where it came from and its counts', () => {
    expect(runNotice(run('finished'))).toEqual({ title: 'Run finished', body: 'deals.xlsx · Shop\n10 succeeded' })
    expect(runNotice(run('finished', { succeeded: 7, failed: 2, uncertain: 1 }))?.title).toBe('Run finished with problems')
    expect(runNotice(run('finished', { succeeded: 7, failed: 2, uncertain: 1 }))?.body).toContain('7 succeeded, 2 failed, 1 uncertain')
    expect(runNotice(run('paused', { succeeded: 3, pending: 7 }, { pauseReason: 'The access token expired.' }))).toEqual({
      title: 'Run paused',
      body: 'deals.xlsx · Shop\nThe access token expired.\n3 succeeded'
    })
    expect(runNotice(run('cancelled', { succeeded: 4, 'not-run': 6 }))?.body).toContain('4 succeeded, 6 not run')
    expect(runNotice(run('running'))).toBeUndefined()
  })

  it('speaks Russian on a Russian system', () => {
    expect(runNotice(run('finished', { succeeded: 9, skipped: 1 }), 'ru-RU')).toEqual({ title: 'Запуск завершён', body: 'deals.xlsx · Shop\nуспешно: 9, пропущено: 1' })
    expect(runNotice(run('cancelled'), 'ru')?.title).toBe('Запуск отменён')
  })
})
