// Opens the core for one CLI process. Nothing here touches the network or the keychain until a
// command asks for it.
import { defaultDataDir } from '../core/data-dir'
import { createProfileService } from '../core/profiles/profile-service'
import { createProfileStore } from '../core/profiles/profile-store'
import { createKeytarSecretStore } from '../core/profiles/secret-store'
import { envProfile, withEnvProfile, withEnvSecret } from './env-profile'
import { createRunManager } from '../core/runs'
import { presetRate } from '../core/bitrix/pacing/request-governor'
import { createTriggerService, type TriggerService } from '../core/triggers/trigger-service'
import type { Core } from './core'
import { CLI_VERSION } from './version'

export interface OpenCoreOptions {
  /** B24TR_WEBHOOK_URL, already taken out of the environment: a webhook profile for this process only. */
  envWebhookUrl?: string
}

export async function openCore(dataDir: string = defaultDataDir(), options: OpenCoreOptions = {}): Promise<Core> {
  const env = options.envWebhookUrl !== undefined ? envProfile(options.envWebhookUrl) : undefined
  const keychain = createKeytarSecretStore()
  const store = createProfileStore({ dataDir })
  const profiles = createProfileService({
    store: env ? withEnvProfile(store, env) : store,
    secrets: env ? withEnvSecret(keychain, env) : keychain,
    clientOptions: { userAgent: `b24-triggers-cli/${CLI_VERSION}` }
  })
  const runs = createRunManager({ dataDir, clientFor: (profileId) => profiles.clientFor(profileId) })
  const triggerServices = new Map<string, Promise<TriggerService>>()
  return {
    dataDir,
    profiles,
    runs,
    ...(env && { envProfileId: env.profile.id }),
    keychain: () => keychain.available(),
    triggersFor(profileId) {
      let service = triggerServices.get(profileId)
      if (!service) {
        service = (async () => {
          // Through the runs' governors: a lookup before a run must not spend the portal's request
          // bucket behind the run's pacing.
          const profile = await profiles.get(profileId)
          const rate = presetRate(profile.plan)
          const client = runs.governed(profileId, await profiles.clientFor(profileId), rate)
          const scopes = await profiles.scopes(profileId)
          return createTriggerService(client, scopes ? { scopes } : {})
        })()
        // A failed open (no secret, keychain down) must not be remembered as the answer.
        service.catch(() => triggerServices.delete(profileId))
        triggerServices.set(profileId, service)
      }
      return service
    },
    close: () => runs.close()
  }
}
