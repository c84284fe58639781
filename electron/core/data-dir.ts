// Where the app keeps its non-secret data (profiles.json, runs/). The desktop app and the CLI
// must agree on it, so both call this; main also passes it to app.setPath('userData') because
// Electron would otherwise derive the folder from productName ("Trigger Runner for Bitrix24").
import { homedir } from 'node:os'
import { posix, win32 } from 'node:path'

export const APP_DIR_NAME = 'b24-trigger-runner'

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir()
): string {
  const override = env.B24TR_DATA_DIR?.trim()
  if (override) return override
  if (platform === 'win32') {
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), APP_DIR_NAME)
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', APP_DIR_NAME)
  // XDG says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME
  return posix.join(xdg && xdg.startsWith('/') ? xdg : posix.join(home, '.config'), APP_DIR_NAME)
}
