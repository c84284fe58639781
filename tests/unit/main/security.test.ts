import { describe, expect, it } from 'vitest'
import { APP_URL, contentSecurityPolicy, isAppUrl, isSafeExternalUrl, isTrustedFrame } from '../../../electron/main/security'
import { pathToFileURL } from 'node:url'
import { codeFromCallback, isCallbackFor } from '../../../electron/main/ipc/sign-in'

describe('isAppUrl', () => {
  const file = 'file:///opt/app/out/renderer/index.html'
  it('accepts the built page with any hash route, and nothing else on disk', () => {
    expect(isAppUrl('file:///opt/app/out/renderer/index.html#/runs/1', file)).toBe(true)
    expect(isAppUrl('file:///etc/passwd', file)).toBe(false)
    expect(isAppUrl('https://evil.example/', file)).toBe(false)
  })
  it('accepts the dev server origin only', () => {
    expect(isAppUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
    expect(isAppUrl('not a url', 'http://localhost:5173/')).toBe(false)
  })
})

describe('isAppUrl with app://', () => {
  it('accepts the app page with any route, nothing else', () => {
    expect(isAppUrl('app://renderer/index.html#/runs/1', APP_URL)).toBe(true)
    expect(isAppUrl('app://renderer/index.html?x=1', APP_URL)).toBe(true)
    for (const bad of ['app://renderer/other.html', 'app://evil/index.html', 'file:///index.html', 'https://renderer/index.html']) {
      expect(isAppUrl(bad, APP_URL), bad).toBe(false)
    }
  })
})

describe('isTrustedFrame', () => {
  it('trusts the top-level app page only', () => {
    expect(isTrustedFrame({ url: `${APP_URL}#/`, parent: null }, APP_URL)).toBe(true)
    expect(isTrustedFrame({ url: APP_URL, parent: {} }, APP_URL)).toBe(false)
    expect(isTrustedFrame({ url: 'https://portal.example/', parent: null }, APP_URL)).toBe(false)
    expect(isTrustedFrame(null, APP_URL)).toBe(false)
  })

  it('compares file:// pages parsed, so install paths with ~ [ % or spaces work', () => {
    for (const dir of ['/home/u/~apps/Trigger Runner', '/opt/app[1]', '/opt/100%/app', 'C:/Users/ИВАН~1/app']) {
      const appUrl = pathToFileURL(`${dir}/out/renderer/index.html`).toString()
      // Chromium leaves ~ [ ] unescaped where Node escapes them (and vice versa for some).
      const chromium = appUrl.replace(/%7E/gi, '~').replace(/%5B/gi, '[').replace(/%5D/gi, ']')
      expect(isTrustedFrame({ url: `${chromium}#/runs`, parent: null }, appUrl), chromium).toBe(true)
      expect(isTrustedFrame({ url: appUrl, parent: null }, appUrl)).toBe(true)
      expect(isTrustedFrame({ url: pathToFileURL(`${dir}/out/renderer/other.html`).toString(), parent: null }, appUrl)).toBe(false)
    }
  })
})

describe('isSafeExternalUrl', () => {
  it('lets https links out and keeps everything else in', () => {
    expect(isSafeExternalUrl('https://apidocs.bitrix24.com/api-reference/')).toBe(true)
    for (const bad of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@example.com', 'nonsense']) {
      expect(isSafeExternalUrl(bad), bad).toBe(false)
    }
  })
})

describe('contentSecurityPolicy', () => {
  it('allows only the app itself to run scripts', () => {
    const csp = contentSecurityPolicy()
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("object-src 'none'")
    expect(contentSecurityPolicy('http://localhost:5173')).toContain('ws://localhost:5173')
  })
})

describe('sign-in callback', () => {
  const state = 'st4te'
  const authorize = `https://portal.example/oauth/authorize/?client_id=local.1&state=${state}`
  it('recognises the redirect of this attempt only', () => {
    const isCallback = isCallbackFor(state)
    expect(isCallback(authorize)).toBe(false)
    expect(isCallback(`http://127.0.0.1/cb?code=c0de&state=${state}&domain=portal.example`)).toBe(true)
    expect(isCallback('http://127.0.0.1/cb?code=c0de&state=other')).toBe(false)
  })
  it('reads the code, or explains the refusal', () => {
    expect(codeFromCallback(`http://127.0.0.1/cb?code=c0de&state=${state}`, state)).toBe('c0de')
    expect(() => codeFromCallback(`http://127.0.0.1/cb?error=access_denied&state=${state}`, state)).toThrow(/did not grant access: access_denied/)
    expect(() => codeFromCallback('http://127.0.0.1/cb?code=c0de&state=x', state)).toThrow(/different sign-in/)
  })
})
