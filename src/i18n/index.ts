// vue-i18n in composition mode with one key set: en.ts defines it, ru.ts is type-checked
// against it. The locale follows navigator.language until the admin picks one (stores/settings).
import { createI18n } from 'vue-i18n'
import en from './en'
import ru from './ru'

export type MessageSchema = typeof en
export type AppLocale = 'en' | 'ru'

/** Russian has three plural forms: 1 строка, 2 строки, 5 строк (and 0 строк, 11 строк);
 * a message with four forms puts a separate zero form first. */
function ruPlural(choice: number, choicesLength: number): number {
  if (choicesLength < 3) return choice === 1 ? 0 : 1
  if (choicesLength === 4) return choice === 0 ? 0 : 1 + ruPlural(choice, 3)
  const n = Math.abs(choice) % 100
  const n1 = n % 10
  if (n > 10 && n < 20) return 2
  if (n1 === 1) return 0
  if (n1 >= 2 && n1 <= 4) return 1
  return 2
}

export function localeFromNavigator(languages: readonly string[]): AppLocale {
  for (const lang of languages) {
    const base = lang.toLowerCase().split('-')[0]
    if (base === 'ru') return 'ru'
    if (base === 'en') return 'en'
  }
  return 'en'
}

export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, ru },
  pluralRules: { ru: ruPlural },
  missingWarn: import.meta.env.DEV,
  fallbackWarn: import.meta.env.DEV
})
