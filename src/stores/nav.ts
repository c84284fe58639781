// Which screen is shown. A hash (#/history, #/runs/<id>) mirrors it so a reload keeps the place
// and tests can open a screen directly; no router is needed for six screens.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type ViewName = 'portals' | 'triggers' | 'run-one' | 'batch' | 'history' | 'run'
export const MENU_VIEWS: readonly Exclude<ViewName, 'run'>[] = ['portals', 'triggers', 'run-one', 'batch', 'history']

interface Location {
  view: ViewName
  runId?: string
}

function parseHash(hash: string): Location | null {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean)
  const [head, id] = parts
  if (head === 'runs' && id) return { view: 'run', runId: decodeURIComponent(id) }
  if (head && (MENU_VIEWS as readonly string[]).includes(head)) return { view: head as ViewName }
  return null
}

function toHash(loc: Location): string {
  return loc.view === 'run' && loc.runId ? `#/runs/${encodeURIComponent(loc.runId)}` : `#/${loc.view}`
}

export const useNavStore = defineStore('nav', () => {
  const initial = parseHash(location.hash) ?? { view: 'portals' as ViewName }
  const view = ref<ViewName>(initial.view)
  const runId = ref<string | undefined>(initial.runId)

  function go(next: ViewName, nextRunId?: string): void {
    view.value = next
    runId.value = next === 'run' ? nextRunId : undefined
    const hash = toHash({ view: view.value, runId: runId.value })
    if (location.hash !== hash) location.hash = hash
  }

  function openRun(id: string): void {
    go('run', id)
  }

  /** Set by File → Open CSV… in the application menu; the Batch run screen takes it and clears it. */
  const openCsvRequested = ref(false)
  function requestOpenCsv(): void {
    go('batch')
    openCsvRequested.value = true
  }

  // Back/forward and hand-typed hashes.
  window.addEventListener('hashchange', () => {
    const loc = parseHash(location.hash)
    if (!loc) return
    view.value = loc.view
    runId.value = loc.runId
  })

  return { view, runId, go, openRun, openCsvRequested, requestOpenCsv }
})
