// Accessibility checks with axe-core, injected into the page under test (DESIGN.md, Testing).
// The e2e run fails on any critical or serious violation; milder ones are only reported.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export interface AxeFinding {
  id: string
  impact: string
  help: string
  nodes: { target: string; summary: string }[]
}

/** Runs axe on the whole document as it is now; returns violations of the given impacts. */
export async function axeViolations(page: Page, impacts: readonly string[] = ['critical', 'serious']): Promise<AxeFinding[]> {
  const present = await page.evaluate('typeof window.axe !== "undefined"')
  // Evaluated through the DevTools protocol: the app's CSP (script-src 'self') rightly refuses an
  // inline <script>, and the check must not loosen the policy it runs under.
  if (!present) await page.evaluate(AXE_SOURCE)
  const found = (await page.evaluate(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact || '',
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ') }))
    }))
  })()`)) as AxeFinding[]
  return found.filter((v) => impacts.includes(v.impact))
}

/** One line per violation and node, for a failure message or a log. */
export function describeFindings(screen: string, findings: AxeFinding[]): string[] {
  return findings.flatMap((f) => f.nodes.map((n) => `${screen}: [${f.impact}] ${f.id} (${f.help}) at ${n.target} — ${n.summary}`))
}
