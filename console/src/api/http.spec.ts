// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, buildQuery, readCookie, request } from './http'

describe('the API client', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('builds query strings without empty values', () => {
    expect(buildQuery({ a: 1, b: '', c: null, d: undefined, e: ['x', 'y'], f: [], g: false })).toBe('?a=1&e=x%2Cy&g=false')
    expect(buildQuery({})).toBe('')
  })

  it('reads the CSRF cookie', () => {
    expect(readCookie('console_csrf', 'a=1; console_csrf=abc%3D; b=2')).toBe('abc=')
    expect(readCookie('console_csrf', 'a=1')).toBeNull()
  })

  it('maps 422 details to field messages', () => {
    const error = new ApiError(422, {
      code: 'validation_error',
      message: '请求参数有误',
      details: { planned_end: ['结束日期不能早于开始日期'], location: { lat: ['应在 -90 到 90 之间'] } },
    })
    expect(error.fieldErrors()).toEqual({ planned_end: '结束日期不能早于开始日期', 'location.lat': '应在 -90 到 90 之间' })
  })

  it('echoes the CSRF token on writes only, and turns envelopes into ApiError', async () => {
    document.cookie = 'console_csrf=tok123'
    const calls: RequestInit[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        calls.push(init)
        return new Response(JSON.stringify({ error: { code: 'out_of_scope', message: '不在您负责的生活圈范围内', details: {} } }), {
          status: 403,
          headers: { 'Content-Type': 'application/json' },
        })
      }),
    )
    await expect(request('PATCH', '/staff/demands/1', { body: { status: 'accepted' } })).rejects.toMatchObject({
      status: 403,
      code: 'out_of_scope',
      message: '不在您负责的生活圈范围内',
    })
    await expect(request('GET', '/staff/demands')).rejects.toBeInstanceOf(ApiError)
    expect((calls[0].headers as Record<string, string>)['X-CSRF-TOKEN']).toBe('tok123')
    expect((calls[1].headers as Record<string, string>)['X-CSRF-TOKEN']).toBeUndefined()
  })

  it('says so in Chinese when the network is down', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    await expect(request('GET', '/me')).rejects.toMatchObject({ code: 'network_error', message: '网络连接失败，请检查网络后重试' })
  })
})
