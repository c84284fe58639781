// The core services behind the handlers, built once per registerIpc() over one data directory.
import { createProfileService, type ProfileService } from '../../core/profiles/profile-service'
import { createProfileStore } from '../../core/profiles/profile-store'
import { createTriggerService, type TriggerService } from '../../core/triggers/trigger-service'
import { STATIC_CATALOG, type OwnerTypeCatalog } from '../../core/triggers/owner-types'
import { isBitrixError } from '../../core/bitrix'
import type { BitrixClient } from '../../core/bitrix/types'
import type { IpcDeps } from './types'

export interface CoreContext {
  profiles: ProfileService
  /** The trigger service of a profile, rebuilt whenever the profile's client changes. */
  triggersFor(profileId: string): Promise<TriggerService>
  /** The portal's owner types, read once per profile; `refresh` reads them again. When the portal
   * cannot be asked (offline, no CRM scope), the built-in list, which says so in its note. */
  ownerTypes(profileId: string, refresh?: boolean): Promise<OwnerTypeCatalog>
  /** Drops what is cached for a profile after its credentials or settings changed. */
  forget(profileId: string): void
  /** Routes the trigger services' calls (lookups, Run one) through `govern`: the run manager's
   * request and operating governors, so that while a batch drains the portal's request bucket a
   * lookup waits its turn instead of drawing QUERY_LIMIT_EXCEEDED. */
  governWith(govern: (profileId: string, client: BitrixClient) => Promise<BitrixClient>): void
}

export function createCoreContext<E>(deps: IpcDeps<E>): CoreContext {
  const profiles = createProfileService({
    store: createProfileStore({ dataDir: deps.dataDir }),
    secrets: deps.secretStore,
    clientOptions: {
      ...deps.clientOptions,
      ...(deps.logger ? { log: (line: string) => deps.logger?.info(line) } : {})
    }
  })
  const services = new Map<string, { client: BitrixClient; service: TriggerService }>()
  const catalogs = new Map<string, OwnerTypeCatalog>()
  let govern: ((profileId: string, client: BitrixClient) => Promise<BitrixClient>) | undefined

  async function triggersFor(profileId: string): Promise<TriggerService> {
    const client = await profiles.clientFor(profileId)
    const cached = services.get(profileId)
    if (cached?.client === client) return cached.service
    const scopes = await profiles.scopes(profileId)
    const calls = govern ? await govern(profileId, client) : client
    const service = createTriggerService(calls, scopes ? { scopes } : {})
    // A new client (renewed credentials) must not lose the owner types validation relies on.
    const known = catalogs.get(profileId)
    if (known) service.useOwnerTypes(known)
    services.set(profileId, { client, service })
    return service
  }

  return {
    profiles,
    triggersFor,
    async ownerTypes(profileId, refresh = false) {
      const cached = catalogs.get(profileId)
      if (cached && !refresh) return cached
      const service = await triggersFor(profileId)
      try {
        const catalog = await service.ownerTypes()
        catalogs.set(profileId, catalog)
        return catalog
      } catch (err) {
        if (refresh || !isBitrixError(err)) throw err
        return STATIC_CATALOG
      }
    },
    forget(profileId) {
      services.delete(profileId)
      catalogs.delete(profileId)
    },
    governWith(fn) {
      govern = fn
      services.clear()
    }
  }
}
