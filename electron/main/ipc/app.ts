// app.*, shell.* and clipboard.*: facts about the app, links out to the system browser, and the
// system clipboard (written by main: the page's own clipboard permission is refused).
import { isSafeExternalUrl } from '../security'
import { IpcRefusal } from './errors'
import type { HandlerMap, IpcDeps } from './types'

export function appHandlers<E>(deps: IpcDeps<E>): HandlerMap<'app.info' | 'shell.openExternal' | 'clipboard.writeText'> {
  return {
    'app.info': () => deps.appInfo,
    async 'shell.openExternal'(url) {
      if (!isSafeExternalUrl(url)) throw new IpcRefusal('NOT_ALLOWED', 'Only https:// links can be opened.')
      await deps.openExternal(url)
    },
    'clipboard.writeText'(text) {
      if (!deps.writeClipboard) throw new IpcRefusal('NOT_ALLOWED', 'The clipboard is not available here.')
      deps.writeClipboard(text)
    }
  }
}
