// Scrubs secrets from any text before it can reach an error message, a log line or a file.
// Two layers: patterns that recognise secrets by their place (webhook path, auth fields), and
// the exact values the process knows to be secret (registered by the client and the sign-in
// flow), which catches them wherever they appear.

const MASK = '[redacted]'
/** Shorter values would garble ordinary text when replaced everywhere. */
const MIN_SECRET_LENGTH = 6

const secrets = new Set<string>()

const SECRET_KEYS = 'access_token|refresh_token|client_secret|application_token|auth|password'

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Incoming webhook: /rest/{userId}/{secret}/ (the secret is the whole credential).
  [/(\/rest\/\d+\/)[^/\s?#"'&<>]+/g, `$1${MASK}`],
  // JSON text: "access_token":"…"
  [new RegExp(`("(?:${SECRET_KEYS})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1${MASK}"`],
  // Query or form text, PHP brackets included: auth=…, auth[access_token]=…, auth%5Brefresh_token%5D=…
  [new RegExp(`(?<=^|[^a-z0-9_]|%5B)((?:${SECRET_KEYS})(?:\\]|%5D)?=)[^&\\s"'#<>]+`, 'gi'), `$1${MASK}`]
]

/** Marks a value as secret: every later `redact` removes it, raw or URL-encoded. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return
  secrets.add(value)
  const encoded = encodeURIComponent(value)
  if (encoded !== value) secrets.add(encoded)
}

export function redact(text: string): string {
  let out = text
  // Longest first, so a secret that contains another is removed whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(MASK)
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}
