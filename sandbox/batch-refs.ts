// `$result[cmd][path]` references inside a batch (docs: api-reference/how-to-call-rest-api/
// batch.md, "Using Results"; server: CRestUtil::ParseBatchQuery / processBatchElement). After a
// command's query is parsed, every parameter key and value is searched for
// `$result|$next|$total|$time|$error` followed by bracketed keys, walked into what the earlier
// commands returned. As on the server: the walk stops at the first missing key (leaving what it
// reached so far); a value that is nothing but the reference takes the referenced value as is
// (a number stays a number, an array an array); a reference inside longer text is replaced by its
// text (PHP writes an array there as "Array").

export interface BatchSoFar {
  result: Map<string, unknown>
  next: Map<string, unknown>
  total: Map<string, unknown>
  time: Map<string, unknown>
  error: Map<string, unknown>
}

const REFERENCE = /\$(result|next|total|time|error)([^\s]*)/gi
const SEGMENT = /\[([^\]]+)\]/g

function child(node: unknown, key: string): { found: boolean; value?: unknown } {
  if (node instanceof Map) return node.has(key) && node.get(key) != null ? { found: true, value: node.get(key) } : { found: false }
  if (node !== null && typeof node === 'object' && Object.hasOwn(node, key)) {
    const value = (node as Record<string, unknown>)[key]
    return value != null ? { found: true, value } : { found: false }
  }
  return { found: false }
}

function phpText(value: unknown): string {
  if (value instanceof Map || Array.isArray(value) || (value !== null && typeof value === 'object')) return 'Array'
  if (value === true) return '1'
  if (value === false || value === null || value === undefined) return ''
  return String(value)
}

function plain(value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value
}

function substitute(text: string, so: BatchSoFar): unknown {
  if (!text.includes('$')) return text
  let out: unknown = text
  for (const match of text.matchAll(REFERENCE)) {
    const whole = match[0]
    const segments = [...(match[2] ?? '').matchAll(SEGMENT)].map((m) => m[1] as string)
    // PHP only replaces when the path has at least one [key].
    if (segments.length === 0) continue
    let node: unknown = so[(match[1] as string).toLowerCase() as keyof BatchSoFar]
    for (const key of segments) {
      const next = child(node, key)
      if (!next.found) break
      node = next.value
    }
    if (whole === text) return plain(node)
    out = String(out).split(whole).join(phpText(node))
  }
  return out
}

/** The command's parameters with every reference resolved against the commands run so far. */
export function resolveReferences(params: Record<string, unknown>, so: BatchSoFar): Record<string, unknown> {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return substitute(value, so)
    if (Array.isArray(value)) return value.map(walk)
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[phpText(substitute(k, so))] = walk(v)
      return out
    }
    return value
  }
  return walk(params) as Record<string, unknown>
}
