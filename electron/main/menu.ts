// The application menu. Items that change what the page shows (open a CSV, switch the theme) are
// sent to the renderer as 'app.command' events, so the menu and the page's own buttons share one
// code path there.
import { Menu, shell, type MenuItemConstructorOptions } from 'electron'
import type { AppCommandEvent } from '../shared/ipc'

export const TRIGGER_DOCS_URL = 'https://apidocs.bitrix24.com/api-reference/crm/automation/triggers/index.html'

export interface MenuOptions {
  isDev: boolean
  isMac: boolean
  command(command: AppCommandEvent['command']): void
  dataDir: string
  logFile: string
}

export function buildMenu(options: MenuOptions): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(options.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open CSV…', accelerator: 'CmdOrCtrl+O', click: () => options.command('open-csv') },
        { type: 'separator' },
        options.isMac ? { role: 'close' } : { role: 'quit' }
      ]
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...(options.isDev
          ? [{ role: 'reload' as const }, { role: 'forceReload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]
          : []),
        { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+D', click: () => options.command('toggle-theme') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    {
      role: 'help',
      submenu: [
        { label: 'Bitrix24 Trigger Documentation', click: () => void shell.openExternal(TRIGGER_DOCS_URL) },
        { type: 'separator' },
        { label: 'Open Data Folder', click: () => void shell.openPath(options.dataDir) },
        { label: 'Open Log File', click: () => void shell.openPath(options.logFile) }
      ]
    }
  ]
  return Menu.buildFromTemplate(template)
}
