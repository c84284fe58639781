// The application menu, built against the thin recording Electron fake: what each item does.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { electron, reset } from './fake-electron'
import { buildMenu, TRIGGER_DOCS_URL } from '../../../electron/main/menu'
import type { MenuItemConstructorOptions } from 'electron'

vi.mock('electron', async () => (await import('./fake-electron')).electron)

type Item = MenuItemConstructorOptions
const commands: string[] = []

function template(isDev: boolean, isMac: boolean): Item[] {
  const menu = buildMenu({ isDev, isMac, dataDir: '/data', logFile: '/data/logs/main.log', command: (c) => void commands.push(c) })
  return (menu as unknown as { template: Item[] }).template
}
function items(t: Item[], label: string): Item[] {
  const top = t.find((i) => i.label === label || i.role === label)
  return (top?.submenu ?? []) as Item[]
}
function click(item: Item | undefined): void {
  ;(item!.click as () => void)()
}

beforeEach(() => {
  reset()
  commands.length = 0
})

describe('buildMenu', () => {
  it('File → Open CSV… sends the open-csv command; View → Toggle Dark Theme the theme one', () => {
    const t = template(false, false)
    const open = items(t, '&File').find((i) => i.label === 'Open CSV…')
    expect(open?.accelerator).toBe('CmdOrCtrl+O')
    click(open)
    click(items(t, '&View').find((i) => i.label === 'Toggle Dark Theme'))
    expect(commands).toEqual(['open-csv', 'toggle-theme'])
  })

  it('Help opens the docs in the browser and the data folder and log file', () => {
    const help = items(template(false, false), 'help')
    click(help.find((i) => i.label === 'Bitrix24 Trigger Documentation'))
    click(help.find((i) => i.label === 'Open Data Folder'))
    click(help.find((i) => i.label === 'Open Log File'))
    expect(electron.shell.openExternal).toHaveBeenCalledWith(TRIGGER_DOCS_URL)
    expect(electron.shell.openPath.mock.calls.map((c) => c[0])).toEqual(['/data', '/data/logs/main.log'])
  })

  it('dev tools and reload only in development', () => {
    const roles = (t: Item[]): unknown[] => items(t, '&View').map((i) => i.role)
    expect(roles(template(false, false))).not.toContain('toggleDevTools')
    expect(roles(template(false, false))).not.toContain('reload')
    expect(roles(template(true, false))).toContain('toggleDevTools')
  })

  it('macOS: the app menu first, File ends with Close; elsewhere File ends with Quit', () => {
    const mac = template(false, true)
    expect(mac[0]).toEqual({ role: 'appMenu' })
    expect(items(mac, '&File').at(-1)).toEqual({ role: 'close' })
    expect(items(template(false, false), '&File').at(-1)).toEqual({ role: 'quit' })
  })
})
