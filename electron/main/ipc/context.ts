// The core services behind the handlers, built once per registerIpc() over one data directory.
import { createProfileService, type ProfileService } from '../../core/profiles/profile-service'
import { createProfileStore } from '../../core/profiles/profile-store'
import { createTriggerService, type TriggerService } from '../../core/triggers/trigger-service'
import { STATIC_CATALOG, type OwnerTypeCatalog } from '../../core/triggers/owner-types'
import { isBitrixError } from '../../core/bitrix'
import type { BitrixClient } from '../../core/bitrix/types'
import { systemClock } from '../../core/bitrix/pacing/clock'
import { governClient } from '../../core/bitrix/pacing/governed-client'
import { CLOUD_OPERATING, OperatingGovernor } from '../../core/bitrix/pacing/operating-governor'
import { presetRate, RequestGovernor } from '../../core/bitrix/pacing/request-governor'
import type { PlanPreset } from '../../shared/domain'
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
}

/**
 * The client lookups and Run one use: paced by governors of their own at the portal plan's
 * limits. While a batch fills the portal's request bucket, a trigger list or a Run one gets the
 * portal's 503 (nothing ran), learns the bucket is full and goes again a moment later, instead
 * of failing. Not the runs' own governors: a run's custom plan (one request every few seconds,
 * chosen to be gentle) would otherwise slow every screen of the app after it.
 */
function lookupClient(client: BitrixClient, plan: PlanPreset | undefined): BitrixClient {
  const request = new RequestGovernor({ limits: presetRate(plan), clock: systemClock })
  const operating = new OperatingGovernor({ limits: CLOUD_OPERATING, clock: systemClock })
  return governClient(client, { request, operating }, systemClock)
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

  async function triggersFor(profileId: string): Promise<TriggerService> {
    const client = await profiles.clientFor(profileId)
    const cached = services.get(profileId)
    if (cached?.client === client) return cached.service
    const scopes = await profiles.scopes(profileId)
    const { plan } = await profiles.get(profileId)
    const service = createTriggerService(lookupClient(client, plan), scopes ? { scopes } : {})
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
    }
  }
}
