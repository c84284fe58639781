// app.* and shell.*: facts about the app, and links out to the system browser.
import { isSafeExternalUrl } from '../security'
import { IpcRefusal } from './errors'
import type { HandlerMap, IpcDeps } from './types'

export function appHandlers<E>(deps: IpcDeps<E>): HandlerMap<'app.info' | 'shell.openExternal'> {
  return {
    'app.info': () => deps.appInfo,
    async 'shell.openExternal'(url) {
      if (!isSafeExternalUrl(url)) throw new IpcRefusal('NOT_ALLOWED', 'Only https:// links can be opened.')
      await deps.openExternal(url)
    }
  }
}
