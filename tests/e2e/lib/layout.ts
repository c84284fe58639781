// Layout checks for small windows (issue 11, item 7): nothing spills out of its card, no title
// breaks inside a word (the "one letter per line" failure), and tables fit without sideways
// scrolling where they are meant to (History).
import type { Page } from 'playwright-core'

/** Problems on the page as it is now, described for a failure message; empty when all is well. */
export async function layoutProblems(page: Page, opts: { noSidewaysScroll?: string[] } = {}): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const problems = []
    const name = (el) => (el.getAttribute('data-testid') ? '[data-testid=' + el.getAttribute('data-testid') + ']' : el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : ''))
    const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' }
    const clips = (el) => { const s = getComputedStyle(el); return ['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) }

    // 1. Content spilling past its card's right edge (a scroller or clipper in between contains it).
    for (const card of document.querySelectorAll('.n-card')) {
      if (!visible(card)) continue
      const right = card.getBoundingClientRect().right
      const walker = document.createTreeWalker(card, NodeFilter.SHOW_ELEMENT)
      for (let el = walker.nextNode(); el; el = walker.nextNode()) {
        if (!visible(el)) continue
        let contained = false
        for (let p = el.parentElement; p && p !== card; p = p.parentElement) if (clips(p)) { contained = true; break }
        if (contained) continue
        const r = el.getBoundingClientRect()
        if (r.right > right + 1 && el.children.length === 0) problems.push('spills out of its card by ' + Math.round(r.right - right) + ' px: ' + name(el) + ' "' + (el.textContent || '').trim().slice(0, 40) + '"')
      }
    }

    // 2. Titles and labels broken inside a word (the "one letter per line" failure): a word
    // whose own text boxes sit on more than one line.
    for (const el of document.querySelectorAll('h1, h2, h3, .n-card-header__main, th, dt, label, .label, .n-form-item-label, .n-button__content, .n-tag__content, .n-radio-button')) {
      if (!visible(el)) continue
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent || ''
        for (const m of text.matchAll(/\\S{2,}/g)) {
          const range = document.createRange()
          range.setStart(node, m.index)
          range.setEnd(node, m.index + m[0].length)
          const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top)
          if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 2) {
            problems.push('breaks inside the word "' + m[0] + '": ' + name(el) + ' "' + (el.textContent || '').trim().slice(0, 40) + '"')
          }
        }
      }
    }

    // 3. Tables that must show all their columns.
    for (const sel of ${JSON.stringify(opts.noSidewaysScroll ?? [])}) {
      for (const root of document.querySelectorAll(sel)) {
        for (const s of root.querySelectorAll('.n-data-table-base-table-body, .n-scrollbar-container, .v-vl')) {
          if (s.scrollWidth > s.clientWidth + 1) problems.push('scrolls sideways (' + s.scrollWidth + ' > ' + s.clientWidth + ' px): ' + sel)
        }
      }
    }
    return [...new Set(problems)]
  })()`)) as string[]
}
