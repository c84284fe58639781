import { describe, expect, it } from 'vitest'
import { redact, registerSecret } from '../../../electron/core/bitrix'

describe('redact', () => {
  it('removes webhook secrets from /rest/{id}/{secret}/ paths', () => {
    expect(redact('POST https://p.bitrix24.com/rest/17/a1b2c3d4e5/crm.deal.get failed')).toBe(
      'POST https://p.bitrix24.com/rest/17/[redacted]/crm.deal.get failed'
    )
    expect(redact('https://p/rest/1/k3y')).toBe('https://p/rest/1/[redacted]')
    // OAuth paths carry no secret and stay readable.
    expect(redact('https://p/rest/crm.item.list')).toBe('https://p/rest/crm.item.list')
  })

  it('removes auth, tokens and client secrets from query and form text', () => {
    const text = 'x?auth=AAA111&access_token=BBB222&refresh_token=CCC333&client_secret=DDD444&code=keepme&auth%5Baccess_token%5D=EEE555'
    const out = redact(text)
    for (const s of ['AAA111', 'BBB222', 'CCC333', 'DDD444', 'EEE555']) expect(out).not.toContain(s)
    expect(out).toContain('code=keepme')
  })

  it('removes token values from JSON text', () => {
    const json = JSON.stringify({ access_token: 'tok"en1', refresh_token: 'r2', client_secret: 's3', auth: 'a4', member_id: 'm5' })
    const out = redact(json)
    for (const s of ['tok\\"en1', 'r2', 's3', 'a4']) expect(out).not.toContain(`"${s}"`)
    expect(out).toContain('"member_id":"m5"')
    expect(JSON.parse(out)).toMatchObject({ access_token: '[redacted]', refresh_token: '[redacted]' })
  })

  it('removes registered values wherever they appear, raw or URL-encoded', () => {
    registerSecret('s3cr3t/value+1')
    const out = redact('saw s3cr3t/value+1 and s3cr3t%2Fvalue%2B1 in text')
    expect(out).toBe('saw [redacted] and [redacted] in text')
  })

  it('ignores values too short to be secrets', () => {
    registerSecret('ab')
    expect(redact('about a cab')).toBe('about a cab')
  })
})
