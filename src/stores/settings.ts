// Theme and language: follow the OS / browser until the admin chooses, then remember the choice.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useOsTheme } from 'naive-ui'
import { i18n, localeFromNavigator, type AppLocale } from '@/i18n'

export type ThemePreference = 'system' | 'light' | 'dark'

const STORAGE_KEY = 'trigger-runner.settings'

interface Persisted {
  theme?: ThemePreference
  locale?: AppLocale
}

function readPersisted(): Persisted {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Persisted
  } catch {
    return {}
  }
}

export const useSettingsStore = defineStore('settings', () => {
  const saved = readPersisted()
  const theme = ref<ThemePreference>(saved.theme ?? 'system')
  const locale = ref<AppLocale>(saved.locale ?? localeFromNavigator(navigator.languages ?? [navigator.language]))
  const osTheme = useOsTheme()

  const isDark = computed(() => (theme.value === 'system' ? osTheme.value === 'dark' : theme.value === 'dark'))

  watch(
    locale,
    (value) => {
      i18n.global.locale.value = value
      document.documentElement.lang = value
      document.title = `${i18n.global.t('app.name')} ${i18n.global.t('app.for')}`
    },
    { immediate: true }
  )

  watch([theme, locale], () => {
    const persisted: Persisted = { theme: theme.value, locale: locale.value }
    localStorage.setItem(STORAGE_KEY, JSON.stringify(persisted))
  })

  return { theme, locale, isDark }
})
