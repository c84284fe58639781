// Per-profile caches of the app's registered triggers and the portal's CRM owner types.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppTrigger, OwnerType, RunOneRequest, RunOneResult } from '@/lib/contract'
import { api, unwrap } from '@/lib/api'

export const useTriggersStore = defineStore('triggers', () => {
  const byProfile = ref<Record<string, AppTrigger[]>>({})
  const ownerTypesByProfile = ref<Record<string, OwnerType[]>>({})

  async function load(profileId: string): Promise<AppTrigger[]> {
    const list = await unwrap(api().triggers.list(profileId))
    byProfile.value[profileId] = list
    return list
  }

  async function add(profileId: string, trigger: AppTrigger): Promise<AppTrigger[]> {
    const list = await unwrap(api().triggers.add(profileId, trigger))
    byProfile.value[profileId] = list
    return list
  }

  async function remove(profileId: string, code: string): Promise<AppTrigger[]> {
    const list = await unwrap(api().triggers.remove(profileId, code))
    byProfile.value[profileId] = list
    return list
  }

  async function loadOwnerTypes(profileId: string, force = false): Promise<OwnerType[]> {
    const cached = ownerTypesByProfile.value[profileId]
    if (cached && !force) return cached
    const list = await unwrap(api().triggers.ownerTypes(profileId))
    ownerTypesByProfile.value[profileId] = list
    return list
  }

  async function runOne(req: RunOneRequest): Promise<RunOneResult> {
    return unwrap(api().triggers.runOne(req))
  }

  async function curl(req: RunOneRequest): Promise<string> {
    return unwrap(api().triggers.curl(req))
  }

  return { byProfile, ownerTypesByProfile, load, add, remove, loadOwnerTypes, runOne, curl }
})
