// Skip reasons in the admin's language, for the pre-flight check and the results table alike.
import { useI18n } from 'vue-i18n'
import { duplicateOfLine } from '@/lib/skipReason'

export function useSkipReason() {
  const { t, te } = useI18n()
  /** The reason's name; a code this renderer does not know yet shows as itself. */
  const name = (code: string): string => (te(`skipReason.${code}`) ? t(`skipReason.${code}`) : code)
  /** The name, plus what the code alone cannot say: which line a duplicate repeats. */
  const describe = (code: string, coreText?: string): string => {
    const line = code === 'duplicate' ? duplicateOfLine(coreText) : undefined
    return line === undefined ? name(code) : `${name(code)} (${t('results.duplicateOf', { line })})`
  }
  return { name, describe }
}
