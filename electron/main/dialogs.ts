// Native file dialogs, shown by main so the renderer never handles a file-system path it chose
// itself: it gets back only what the user picked (see csvSources in ipc/csv.ts).
import { app, dialog, type BrowserWindow } from 'electron'
import { basename, extname, join } from 'node:path'
import type { Dialogs } from './ipc/types'

export function createDialogs(parent: () => BrowserWindow | undefined): Dialogs {
  return {
    async openCsv() {
      const options: Electron.OpenDialogOptions = {
        title: 'Open a CSV or Excel file',
        properties: ['openFile'],
        filters: [
          { name: 'CSV, text or Excel', extensions: ['csv', 'tsv', 'txt', 'xlsx', 'xls'] },
          { name: 'All files', extensions: ['*'] }
        ]
      }
      const win = parent()
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      const path = result.canceled ? undefined : result.filePaths[0]
      return path ? { path, name: basename(path) } : null
    },
    async saveExport(defaultName) {
      const ext = extname(defaultName).slice(1) || 'csv'
      const options: Electron.SaveDialogOptions = {
        title: 'Export run results',
        defaultPath: join(app.getPath('documents'), defaultName),
        filters: [{ name: ext.toUpperCase(), extensions: [ext] }]
      }
      const win = parent()
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    }
  }
}
