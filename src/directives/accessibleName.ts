// v-accessible-name="label": gives a naive-ui NSelect's focusable element an accessible name and
// the combobox semantics a screen reader needs. A non-filterable NSelect focuses an inner div that
// no <label for> can reach, and naive-ui gives it no role and no state; this puts the label where
// focus lands and keeps aria-expanded (and, while the menu is open, aria-controls pointing at the
// menu, marked as a listbox) in step with the menu.
import type { Directive } from 'vue'

const observers = new WeakMap<HTMLElement, MutationObserver>()
let menuSeq = 0

function focusableOf(root: HTMLElement): HTMLElement | null {
  return root.querySelector<HTMLElement>('.n-base-selection-label[tabindex], .n-base-selection-tags[tabindex]')
}

/** naive-ui marks the selection active exactly while its menu is shown. */
function syncExpanded(root: HTMLElement): void {
  const focusable = focusableOf(root)
  if (!focusable) return
  const selection = root.classList.contains('n-base-selection') ? root : root.querySelector('.n-base-selection')
  const open = !!selection?.classList.contains('n-base-selection--active')
  if (focusable.getAttribute('aria-expanded') !== String(open)) focusable.setAttribute('aria-expanded', String(open))
  if (!open) {
    focusable.removeAttribute('aria-controls')
    return
  }
  // The menu is teleported to <body>; the open one is the visible menu.
  const menu = [...document.querySelectorAll<HTMLElement>('.n-base-select-menu')].find((m) => m.offsetParent !== null)
  if (!menu) return
  if (!menu.id) menu.id = `select-menu-${++menuSeq}`
  patchMenu(menu, focusable.getAttribute('aria-label') ?? '')
  if (!menuObservers.has(menu)) {
    // Options render (and re-render, virtually) after the menu opens.
    const observer = new MutationObserver(() => patchMenu(menu, menu.getAttribute('data-select-name') ?? ''))
    observer.observe(menu, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] })
    menuObservers.set(menu, observer)
  }
  if (focusable.getAttribute('aria-controls') !== menu.id) focusable.setAttribute('aria-controls', menu.id)
}

const menuObservers = new WeakMap<HTMLElement, MutationObserver>()

/** A listbox named like its select, with option roles; a menu with no options (naive-ui's "No
 * data") is not a listbox, which must contain options. */
function patchMenu(menu: HTMLElement, name: string): void {
  const options = menu.querySelectorAll('.n-base-select-option')
  menu.setAttribute('data-select-name', name)
  if (options.length === 0) {
    menu.removeAttribute('role')
    menu.removeAttribute('aria-label')
    return
  }
  if (menu.getAttribute('role') !== 'listbox') menu.setAttribute('role', 'listbox')
  if (name && menu.getAttribute('aria-label') !== name) menu.setAttribute('aria-label', name)
  for (const option of options) {
    if (option.getAttribute('role') !== 'option') option.setAttribute('role', 'option')
    const selected = String(option.classList.contains('n-base-select-option--selected'))
    if (option.getAttribute('aria-selected') !== selected) option.setAttribute('aria-selected', selected)
  }
}

function apply(root: HTMLElement, name: string): void {
  const focusable = focusableOf(root)
  if (!focusable) return
  focusable.setAttribute('aria-label', name)
  focusable.setAttribute('role', 'combobox')
  focusable.setAttribute('aria-haspopup', 'listbox')
  syncExpanded(root)
}

export const vAccessibleName: Directive<HTMLElement, string> = {
  mounted: (el, { value }) => {
    apply(el, value)
    // Opening the menu changes only naive-ui's classes, not this component's props.
    const observer = new MutationObserver(() => requestAnimationFrame(() => apply(el, value)))
    observer.observe(el, { attributes: true, attributeFilter: ['class'], subtree: true, childList: true })
    observers.set(el, observer)
  },
  updated: (el, { value }) => apply(el, value),
  unmounted: (el) => {
    observers.get(el)?.disconnect()
    observers.delete(el)
  }
}
