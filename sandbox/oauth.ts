// The portal acting as its own OAuth server (reference §5.1-5.2): /oauth/authorize/ approves at
// once and redirects with a 30-second single-use code; /oauth/token/ exchanges codes and
// rotates refresh tokens. Tokens live only in memory.
import { randomBytes } from 'node:crypto'
import type { SandboxTokenPair } from './types'
import type { PortalState } from './state'
import type { Params } from './params'
import { str } from './params'

export interface AccessRecord {
  clientId: string
  userId: number
  expiresMs: number
}

interface GrantRecord {
  clientId: string
  userId: number
  expiresMs: number
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

const CODE_TTL_MS = 30_000
const REFRESH_TTL_MS = 180 * 24 * 3600 * 1000

function secret(bytes = 16): string {
  return randomBytes(bytes).toString('hex')
}

function json(status: number, body: unknown): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) }
}

export class OAuthServer {
  private readonly access = new Map<string, AccessRecord>()
  private readonly refresh = new Map<string, GrantRecord>()
  private readonly codes = new Map<string, GrantRecord>()

  constructor(
    private readonly state: PortalState,
    private readonly now: () => number,
    private readonly tokenTtlSec: number,
    private readonly origin: () => string,
    readonly memberId: string
  ) {}

  private get domain(): string {
    return new URL(this.origin()).host
  }

  issue(clientId: string, userId: number, ttlSec = this.tokenTtlSec): SandboxTokenPair {
    const app = this.state.apps.get(clientId)
    if (!app) throw new Error(`unknown app ${clientId}`)
    const t = this.now()
    const accessToken = secret()
    const refreshToken = secret()
    this.access.set(accessToken, { clientId, userId, expiresMs: t + ttlSec * 1000 })
    this.refresh.set(refreshToken, { clientId, userId, expiresMs: t + REFRESH_TTL_MS })
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires: Math.floor(t / 1000) + ttlSec,
      expires_in: ttlSec,
      client_endpoint: `${this.origin()}/rest/`,
      server_endpoint: `${this.origin()}/rest/`,
      domain: this.domain,
      member_id: this.memberId,
      scope: [...app.scopes].join(','),
      status: 'L',
      user_id: userId
    }
  }

  /** undefined = unknown token. Expiry is judged by the caller against the same clock. */
  lookup(token: string): AccessRecord | undefined {
    return this.access.get(token)
  }

  isExpired(rec: AccessRecord): boolean {
    return this.now() >= rec.expiresMs
  }

  expireAccessTokens(): void {
    const past = this.now() - 1
    for (const rec of this.access.values()) rec.expiresMs = past
  }

  revokeRefreshTokens(): void {
    this.refresh.clear()
  }

  /** Approves immediately as the admin (a test may pass `user_id` to act as another user). */
  authorize(query: Params): HttpAnswer {
    const app = this.state.apps.get(str(query.client_id))
    if (!app) {
      // Bitrix shows an error page and does not redirect (reference §5.2).
      return { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body><h1>Application not found</h1></body></html>' }
    }
    const userId = Number(str(query.user_id)) || 1
    const code = secret()
    this.codes.set(code, { clientId: app.clientId, userId, expiresMs: this.now() + CODE_TTL_MS })
    const target = new URL(app.redirectUri)
    target.searchParams.set('code', code)
    target.searchParams.set('state', str(query.state))
    target.searchParams.set('domain', this.domain)
    target.searchParams.set('member_id', this.memberId)
    target.searchParams.set('scope', [...app.scopes].join(','))
    target.searchParams.set('server_domain', this.domain)
    return { status: 302, headers: { location: target.toString(), 'content-type': 'text/html; charset=utf-8' }, body: '' }
  }

  /** The token endpoint as the official SDK records its answers ([pysdk] b24pysdk/errors/oauth.py;
   * the OAuth server's source is not public): an unknown client_id is HTTP 200 `wrong_client`,
   * a wrong secret 400 `invalid_client`, a missing refresh token 400 `invalid_request`, a spent
   * or unknown grant 400 `invalid_grant`. */
  token(params: Params): HttpAnswer {
    const grantType = str(params.grant_type)
    const app = this.state.apps.get(str(params.client_id))
    if (!app) return json(200, { error: 'wrong_client' })
    if (app.clientSecret !== str(params.client_secret)) return json(400, { error: 'invalid_client' })
    let grant: GrantRecord | undefined
    if (grantType === 'authorization_code') {
      const code = str(params.code)
      grant = this.codes.get(code)
      this.codes.delete(code)
    } else if (grantType === 'refresh_token') {
      const token = str(params.refresh_token)
      if (!token) return json(400, { error: 'invalid_request', error_description: 'No "refresh_token" parameter found' })
      grant = this.refresh.get(token)
      // Rotation: a refresh token is spent by its first use.
      this.refresh.delete(token)
    } else {
      return json(400, { error: 'invalid_request', error_description: 'Invalid grant_type' })
    }
    if (!grant || grant.clientId !== app.clientId || this.now() >= grant.expiresMs) {
      return json(400, { error: 'invalid_grant' })
    }
    return json(200, this.issue(app.clientId, grant.userId))
  }
}
