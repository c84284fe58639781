import { describe, expect, it } from 'vitest'
import type { ErrorKind } from '../../../electron/shared/domain'
import { BitrixError, classifyError, plainMessage } from '../../../electron/core/bitrix'

describe('classifyError', () => {
  const cases: Array<[string, number, string, ErrorKind]> = [
    ['QUERY_LIMIT_EXCEEDED', 503, 'Too many requests', 'retry-safe'],
    ['query_limit_exceeded', 503, '', 'retry-safe'],
    ['OPERATION_TIME_LIMIT', 429, 'Method is blocked due to operation time limit.', 'retry-safe'],
    ['expired_token', 401, 'The access token provided has expired', 'retry-safe'],
    ['EXPIRED_TOKEN', 401, '', 'retry-safe'],
    ['CONNECTION_FAILED', 0, '', 'retry-safe'],
    ['NO_AUTH_FOUND', 401, 'Wrong authorization data', 'run-fatal'],
    ['invalid_token', 401, '', 'run-fatal'],
    ['INVALID_CREDENTIALS', 401, '', 'run-fatal'],
    ['ACCESS_DENIED', 403, 'Access denied! Application context required', 'run-fatal'],
    ['insufficient_scope', 401, '', 'run-fatal'],
    ['user_access_error', 401, '', 'run-fatal'],
    ['OVERLOAD_LIMIT', 503, '', 'run-fatal'],
    ['PAYMENT_REQUIRED', 402, '', 'run-fatal'],
    ['PORTAL_DELETED', 403, '', 'run-fatal'],
    ['invalid_grant', 400, '', 'run-fatal'],
    ['invalid_client', 401, '', 'run-fatal'],
    ['INVALID_REQUEST', 400, 'Https required', 'run-fatal'],
    ['ERROR_METHOD_NOT_FOUND', 404, 'Method not found!', 'run-fatal'],
    ['', 400, 'Access denied.', 'run-fatal'],
    ['', 400, 'Trigger with code call_done is not registered.', 'run-fatal'],
    ['INTERNAL_SERVER_ERROR', 500, 'Internal server error', 'ambiguous'],
    ['ERROR_UNEXPECTED_ANSWER', 500, '', 'ambiguous'],
    ['NETWORK_ERROR', 0, '', 'ambiguous'],
    ['REQUEST_TIMEOUT', 0, '', 'ambiguous'],
    ['NON_JSON_RESPONSE', 502, '', 'ambiguous'],
    ['', 500, '', 'ambiguous'],
    ['SOMETHING_NEW', 502, '', 'ambiguous'],
    ['', 400, 'Incorrect parameter OWNER_ID.', 'definite'],
    ['', 400, 'Target is not found.', 'definite'],
    ['', 400, 'Empty trigger code!', 'definite'],
    ['ERROR_BATCH_LENGTH_EXCEEDED', 400, 'Max batch length exceeded', 'definite'],
    ['SOMETHING_NEW', 400, '', 'definite'],
    ['SOMETHING_NEW', 401, '', 'run-fatal']
  ]
  it.each(cases)('%j (HTTP %i, %j) is %s', (code, status, description, kind) => {
    expect(classifyError(code, status, description)).toBe(kind)
  })
})

describe('BitrixError and plainMessage', () => {
  it('carries ErrorInfo and the method, and serializes without losing them', () => {
    const err = new BitrixError({ code: '', description: 'Incorrect parameter OWNER_ID.', status: 400, method: 'crm.automation.trigger.execute' })
    expect(err.info).toEqual({ code: '', description: 'Incorrect parameter OWNER_ID.', status: 400, kind: 'definite' })
    expect(err.message).toContain('crm.automation.trigger.execute')
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ ...err.info, method: 'crm.automation.trigger.execute' })
  })

  it('gives admin-readable words and keeps the portal text separately', () => {
    const webhookTrigger = new BitrixError({ code: 'ACCESS_DENIED', description: 'Access denied! Application context required', status: 403 })
    expect(plainMessage(webhookTrigger)).toMatch(/webhook cannot run app triggers/i)
    expect(webhookTrigger.description).toBe('Access denied! Application context required')
    expect(plainMessage({ code: '', description: 'Trigger with code x1 is not registered.', status: 400, kind: 'run-fatal' })).toMatch(/not registered/)
    expect(plainMessage({ code: 'invalid_grant', description: '', status: 400, kind: 'run-fatal' })).toMatch(/sign in again/i)
    expect(plainMessage({ code: 'REQUEST_TIMEOUT', description: '', status: 0, kind: 'ambiguous' })).toMatch(/may or may not/)
    // Unknown codes fall back on the portal's own text.
    expect(plainMessage({ code: 'X_NEW', description: 'Something specific', status: 400, kind: 'definite' })).toBe('Something specific')
    expect(plainMessage(new Error('plain https://p/rest/1/zzsecret/x'))).toBe('plain https://p/rest/1/[redacted]/x')
  })
})
