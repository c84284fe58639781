// Request parameters the way PHP sees them: `a[b][]=1` bracket syntax in query strings and
// form bodies (parse_str), JSON bodies, and the query merged with the body ($_REQUEST style,
// body wins), because real clients send JSON bodies with extra `bx24_*` query parameters.

export type Params = Record<string, unknown>

type Node = Map<string, Node | string>

function decode(s: string): string {
  const plus = s.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(plus)
  } catch {
    return plus
  }
}

function nextIndex(map: Node): string {
  let max = -1
  for (const k of map.keys()) {
    if (/^(0|[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k))
  }
  return String(max + 1)
}

/** Splits `name[a][b][]` into ['name', 'a', 'b', ''] with PHP's quirks for the base name. */
function keyPath(rawKey: string): string[] | undefined {
  const open = rawKey.indexOf('[')
  if (open === 0) return undefined
  if (open < 0) return [rawKey.replace(/[ .]/g, '_')]
  const segments: string[] = [rawKey.slice(0, open).replace(/[ .]/g, '_')]
  const re = /\[([^\]]*)\]/y
  re.lastIndex = open
  let m: RegExpExecArray | null
  while ((m = re.exec(rawKey)) !== null) segments.push(m[1] ?? '')
  // PHP turns an unmatched "[" in the base name into "_" and keeps the rest literally.
  if (segments.length === 1) return [rawKey.replace(/[ .[]/g, '_')]
  return segments
}

/** PHP arrays become JS arrays only when their keys are exactly 0..n-1 in order (json_encode's rule). */
function toPlain(node: Node | string): unknown {
  if (typeof node === 'string') return node
  let i = 0
  let isList = true
  for (const k of node.keys()) {
    if (k !== String(i++)) {
      isList = false
      break
    }
  }
  if (isList) return [...node.values()].map(toPlain)
  const out: Record<string, unknown> = {}
  for (const [k, v] of node) out[k] = toPlain(v)
  return out
}

export function parsePhpQuery(qs: string): Params {
  const root: Node = new Map()
  if (qs.startsWith('?')) qs = qs.slice(1)
  for (const pair of qs.split('&')) {
    if (!pair) continue
    const eq = pair.indexOf('=')
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq))
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1))
    const path = keyPath(rawKey)
    if (!path || path[0] === '') continue
    let cur = root
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as string
      const key = seg === '' && i > 0 ? nextIndex(cur) : seg
      if (i === path.length - 1) {
        cur.set(key, value)
      } else {
        const child = cur.get(key)
        if (child instanceof Map) {
          cur = child
        } else {
          const fresh: Node = new Map()
          cur.set(key, fresh)
          cur = fresh
        }
      }
    }
  }
  const plain = toPlain(root)
  return Array.isArray(plain) ? { ...plain } : (plain as Params)
}

/** Parses a request body by its content type; an unreadable body counts as no parameters, as in PHP. */
export function parseBody(contentType: string | undefined, body: string): Params {
  if (!body) return {}
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/json' || (type === '' && /^\s*[{[]/.test(body))) {
    try {
      const parsed: unknown = JSON.parse(body)
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Params) : {}
    } catch {
      return {}
    }
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') return parsePhpQuery(body)
  return {}
}

/** Case-insensitive lookup (the trigger handlers read CODE/code alike, as Bitrix uppercases keys). */
export function param(params: Params, name: string): unknown {
  if (name in params) return params[name]
  const lower = name.toLowerCase()
  for (const k of Object.keys(params)) if (k.toLowerCase() === lower) return params[k]
  return undefined
}

/** PHP (string) cast for scalar parameters; arrays/objects read as empty. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  if (v === true) return '1'
  return ''
}

/** PHP (int) cast: leading integer of a string, 0 otherwise. */
export function int(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v !== 'string') return 0
  const m = /^\s*([+-]?\d+)/.exec(v)
  return m ? Number(m[1]) : 0
}

/** PHP empty(): '', '0', 0, false, null, [] are empty. */
export function phpEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '' || v === '0') return true
  if (Array.isArray(v)) return v.length === 0
  return false
}

/** PHP (bool) cast (so "false" is true, as Bitrix would read `halt=false`). */
export function bool(v: unknown): boolean {
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0
  return !phpEmpty(v) && v !== 0.0
}

/** PHP's (int) cast: a leading numeric string counts, exponent included ("6abc" -> 6,
 * "0.9876543e9" -> 987654300); anything else is 0. */
export function phpInt(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v !== 'string') return 0
  const m = /^[ \t\n\r\v\f]*([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)/.exec(v)
  if (!m) return 0
  const n = Math.trunc(Number(m[1]))
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : 0
}

/** PHP's array_change_key_case($params, CASE_UPPER): keys upper-cased, a later key overwriting
 * an earlier one that differs only in case. */
export function upperKeys(params: Params): Params {
  const out: Params = {}
  for (const [k, v] of Object.entries(params)) out[k.toUpperCase()] = v
  return out
}
