// Copy to the clipboard through main (`clipboard.writeText` over IPC): the app's session refuses
// every permission request, the page's clipboard permission included, so navigator.clipboard
// would fail in the desktop app.
import { api, unwrap } from '@/lib/api'

export async function copyText(text: string): Promise<void> {
  await unwrap(api().clipboard.writeText(text))
}
