// The data directory shared by the desktop app and the CLI.
import { describe, expect, it } from 'vitest'
import { defaultDataDir } from '../../../electron/core/data-dir'

describe('defaultDataDir', () => {
  it('follows each platform\'s convention', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/b24-trigger-runner')
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/u')).toBe('/x/cfg/b24-trigger-runner')
    expect(defaultDataDir({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.config/b24-trigger-runner')
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/b24-trigger-runner')
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\b24-trigger-runner'
    )
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\b24-trigger-runner')
  })

  it('is overridden by B24TR_DATA_DIR on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultDataDir({ B24TR_DATA_DIR: '/tmp/b24', XDG_CONFIG_HOME: '/x' }, platform, '/h')).toBe('/tmp/b24')
    }
  })
})
