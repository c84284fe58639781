// The portal's registered app triggers as choices for a trigger-code select.
import { computed, type Ref } from 'vue'
import type { Profile } from '@/lib/contract'
import { useTriggersStore } from '@/stores/triggers'

export function useTriggerCodeOptions(profile: Ref<Profile | null>) {
  const triggers = useTriggersStore()
  return computed(() =>
    (profile.value ? (triggers.byProfile[profile.value.id] ?? []) : []).map((tr) => ({ label: `${tr.code} — ${tr.name}`, value: tr.code }))
  )
}
