// Attributes for the native <input> inside naive-ui fields: an id the <label for> can point
// at (so screen readers and getByLabel work) and a data-testid for the e2e tests.
import type { InputHTMLAttributes } from 'vue'

export function inputAttrs(id: string, extra: Record<string, string> = {}): InputHTMLAttributes {
  return { id, 'data-testid': id, ...extra } as InputHTMLAttributes
}

export function labelFor(id: string): { for: string } {
  return { for: id }
}

/** For inputs that take a secret: no autofill, no spell-check (which may send text to a
 * dictionary service), no autocorrect. */
export const SECRET_INPUT: Readonly<Record<string, string>> = { autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }
