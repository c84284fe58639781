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

    // 2. Titles and labels broken inside a word: more lines than words.
    for (const el of document.querySelectorAll('h1, h2, h3, .n-card-header__main, th, .n-form-item-label, .n-button__content, .n-tag__content, .n-radio-button')) {
      if (!visible(el)) continue
      const text = (el.textContent || '').trim()
      if (text.length < 4) continue
      const cs = getComputedStyle(el)
      const lh = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.3
      const inner = el.getBoundingClientRect().height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) - parseFloat(cs.borderTopWidth) - parseFloat(cs.borderBottomWidth)
      const lines = Math.round(inner / lh)
      const words = text.split(/\\s+/).length
      if (lines > words) problems.push('breaks inside a word (' + lines + ' lines, ' + words + ' words): ' + name(el) + ' "' + text.slice(0, 40) + '"')
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
