// The prompt the app shows before starting on rows a recent run already sent (issue 11).
import type { Page } from 'playwright-core'
import { TIMEOUT } from './ui'

/** Clicks the overlap prompt's choice when the prompt comes (scenarios that reuse IDs). */
export async function answerOverlapIfAsked(page: Page, choice: 'skip' | 'include' | 'abort', waitMs = 3000): Promise<boolean> {
  const prompt = page.getByTestId('overlap-prompt')
  try {
    await prompt.waitFor({ timeout: waitMs })
  } catch {
    return false
  }
  await page.getByTestId(`overlap-${choice}`).click()
  await prompt.waitFor({ state: 'detached', timeout: TIMEOUT })
  return true
}

