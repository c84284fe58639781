// ARIA that naive-ui (2.45) leaves incomplete, completed on the elements it renders:
// - NCard's header is `role="heading"` twice over (the header and its title) with no aria-level,
//   which a screen reader cannot place in the outline: the title becomes a level-2 heading (under
//   each view's <h1>) and the wrapper, which also holds header-extra buttons, a plain container.
// - A card-preset NModal is `role="dialog"` with no name: it is named by its own title.
// The elements are patched as they appear (Vue leaves these static attributes alone afterwards).

let seq = 0

function patch(root: ParentNode): void {
  for (const header of root.querySelectorAll<HTMLElement>('.n-card-header[role="heading"]')) header.setAttribute('role', 'none')
  for (const title of root.querySelectorAll<HTMLElement>('.n-card-header__main[role="heading"]:not([aria-level])')) title.setAttribute('aria-level', '2')
  for (const dialog of root.querySelectorAll<HTMLElement>('[role="dialog"]:not([aria-label]):not([aria-labelledby])')) {
    const title = dialog.querySelector<HTMLElement>('.n-card-header__main, .n-dialog__title')
    if (!title) continue
    if (!title.id) title.id = `dialog-title-${++seq}`
    dialog.setAttribute('aria-labelledby', title.id)
  }
}

export function installNaiveAria(doc: Document = document): void {
  patch(doc)
  new MutationObserver((records) => {
    for (const r of records) for (const node of r.addedNodes) if (node instanceof Element) patch(node.parentNode ?? node)
  }).observe(doc.body, { childList: true, subtree: true })
}
