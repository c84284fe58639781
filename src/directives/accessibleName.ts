// v-accessible-name="label": gives a naive-ui NSelect's focusable element an accessible name.
// A non-filterable NSelect focuses an inner div that no <label for> can reach, so screen
// readers would announce it without a name; this puts the label where focus lands.
import type { Directive } from 'vue'

function apply(root: HTMLElement, name: string): void {
  const focusable = root.querySelector<HTMLElement>('.n-base-selection-label[tabindex], .n-base-selection-tags[tabindex]')
  if (!focusable) return
  focusable.setAttribute('aria-label', name)
  focusable.setAttribute('role', 'combobox')
}

export const vAccessibleName: Directive<HTMLElement, string> = {
  mounted: (el, { value }) => apply(el, value),
  updated: (el, { value }) => apply(el, value)
}
