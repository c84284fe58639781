// A clock that ticks only while someone needs it (an operating-budget countdown).
import { onScopeDispose, ref, watch, type Ref } from 'vue'

export function useNow(active: Ref<boolean>, intervalMs = 1000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined

  watch(
    active,
    (on) => {
      if (timer) clearInterval(timer)
      timer = undefined
      now.value = Date.now()
      if (on) timer = setInterval(() => (now.value = Date.now()), intervalMs)
    },
    { immediate: true }
  )
  onScopeDispose(() => timer && clearInterval(timer))
  return now
}
