// Whether a naive-ui form's rules pass before it is sent. A failing form already shows its
// messages next to the fields, so callers only need to stop.
import type { FormInst } from 'naive-ui'

export async function formPasses(form: FormInst | null): Promise<boolean> {
  try {
    await form?.validate()
    return true
  } catch {
    return false
  }
}
