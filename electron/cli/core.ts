// The core services the CLI drives: the very ones the desktop app's main process uses, opened on
// the same data directory and keychain, so a run started in one front end is listed, resumed and
// exported by the other.
import type { ProfileService } from '../core/profiles/profile-service'
import type { RunManager } from '../core/runs'
import type { SecretStoreAvailability } from '../core/profiles/secret-store'
import type { TriggerService } from '../core/triggers/trigger-service'

export interface Core {
  readonly dataDir: string
  readonly profiles: ProfileService
  readonly runs: RunManager
  /** The profile made from B24TR_WEBHOOK_URL for this process, when the variable is set. */
  readonly envProfileId?: string
  /** Whether the system keychain answers (a server often has no Secret Service). */
  keychain(): Promise<SecretStoreAvailability>
  /** The trigger service over a profile's REST client (one per profile for this process). */
  triggersFor(profileId: string): Promise<TriggerService>
  /** Pauses a run still going (journal flushed) before the process ends. */
  close(): Promise<void>
}
