// Portal profiles (no secrets: the main process keeps them in the keychain) and the profile
// picked for Triggers / Run one / Batch run, remembered between sessions.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { AddOAuthProfileRequest, AddWebhookProfileRequest, ConnectionReport, Profile, UpdateProfileRequest } from '@/lib/contract'
import { api, unwrap } from '@/lib/api'

const CURRENT_KEY = 'trigger-runner.currentProfile'

export const useProfilesStore = defineStore('profiles', () => {
  const list = ref<Profile[]>([])
  const loaded = ref(false)
  const reports = ref<Record<string, ConnectionReport>>({})
  const currentId = ref<string | null>(localStorage.getItem(CURRENT_KEY))

  const current = computed(() => list.value.find((p) => p.id === currentId.value) ?? null)

  watch(currentId, (id) => {
    if (id) localStorage.setItem(CURRENT_KEY, id)
    else localStorage.removeItem(CURRENT_KEY)
  })

  function upsert(profile: Profile): Profile {
    const i = list.value.findIndex((p) => p.id === profile.id)
    if (i >= 0) list.value.splice(i, 1, profile)
    else list.value.push(profile)
    if (!current.value) currentId.value = profile.id
    return profile
  }

  async function load(): Promise<void> {
    list.value = await unwrap(api().profiles.list())
    loaded.value = true
    if (!current.value) currentId.value = list.value[0]?.id ?? null
  }

  async function addWebhook(req: AddWebhookProfileRequest): Promise<Profile> {
    return upsert(await unwrap(api().profiles.addWebhook(req)))
  }

  async function addOAuth(req: AddOAuthProfileRequest): Promise<Profile> {
    return upsert(await unwrap(api().profiles.addOAuth(req)))
  }

  async function signIn(id: string): Promise<Profile> {
    return upsert(await unwrap(api().profiles.signIn(id)))
  }

  async function update(req: UpdateProfileRequest): Promise<Profile> {
    const profile = upsert(await unwrap(api().profiles.update(req)))
    delete reports.value[req.id]
    return profile
  }

  async function remove(id: string): Promise<void> {
    await unwrap(api().profiles.remove(id))
    list.value = list.value.filter((p) => p.id !== id)
    delete reports.value[id]
    if (currentId.value === id) currentId.value = list.value[0]?.id ?? null
  }

  async function test(id: string): Promise<ConnectionReport> {
    const report = await unwrap(api().profiles.test(id))
    reports.value[id] = report
    return report
  }

  return { list, loaded, reports, currentId, current, load, addWebhook, addOAuth, signIn, update, remove, test }
})
