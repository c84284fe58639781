// Light shape checks for what an admin pastes; the main process validates for real.

/** https://portal/rest/<userId>/<secret>/ (http only for loopback, like the main process). */
export function looksLikeWebhookUrl(value: string): boolean {
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return false
  }
  if (!isAllowedScheme(url)) return false
  return /^\/rest\/\d+\/[^/]+\/?$/.test(url.pathname)
}

export function looksLikePortalAddress(value: string): boolean {
  let url: URL
  try {
    url = new URL(withScheme(value.trim()))
  } catch {
    return false
  }
  return isAllowedScheme(url) && (url.hostname.includes('.') || url.hostname === 'localhost')
}

/** Admins often type "company.bitrix24.ru": assume https. */
export function withScheme(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`
}

/** The portal host, for a default profile name. */
export function hostOf(value: string): string {
  try {
    return new URL(withScheme(value.trim())).host
  } catch {
    return ''
  }
}

function isAllowedScheme(url: URL): boolean {
  if (url.protocol === 'https:') return true
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
}
