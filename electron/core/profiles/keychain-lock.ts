// Is the system keychain locked? On Linux a locked Secret Service collection answers a lookup
// with nothing at all (the unlock prompt cannot show, or is dismissed), which keytar reports as
// "no such item": a healthy profile would look as if its secret were missing, and the user might
// delete it. When a lookup finds nothing we ask the Secret Service whether its default collection
// is locked (the Locked property, over D-Bus with dbus-send, which every desktop with a Secret
// Service has). Elsewhere (macOS prompts to unlock, Windows has no lock) the answer is unknown.
import { execFile } from 'node:child_process'

const PROBE_TIMEOUT_MS = 2_000

export type LockProbe = () => Promise<boolean | undefined>

/** true: locked; false: unlocked; undefined: cannot tell (not Linux, no dbus-send, no service). */
export const secretServiceLocked: LockProbe = () => {
  if (process.platform !== 'linux' || !process.env.DBUS_SESSION_BUS_ADDRESS) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    execFile(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.secrets',
        '/org/freedesktop/secrets/aliases/default',
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked'
      ],
      { timeout: PROBE_TIMEOUT_MS },
      (err, stdout) => {
        if (err) return resolve(undefined)
        const m = /boolean (true|false)/.exec(stdout)
        resolve(m ? m[1] === 'true' : undefined)
      }
    )
  })
}
