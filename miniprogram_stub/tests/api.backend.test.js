// utils/api.js against the real backend and the local WeChat stub: login, a refused token, replays.
const path = require('path')
const h = require('./harness')

const api = require(path.join(h.ROOT, 'utils/api'))

beforeAll(() => h.actAs('mp-api-zhao'))

test('wx.login → /auth/wechat/login: the same WeChat user gets the same account, no session_key', async () => {
  const first = await api.login()
  expect(first.token).toEqual(expect.any(String))
  expect(first.user.roles).toEqual(['resident'])
  const stored = h.wxState.storage.get('session')
  expect(stored).not.toContain('session_key')
  const again = await api.login()
  expect(again.user.id).toBe(first.user.id)
})

test('a token the server refuses (401 invalid_token) is replaced by a new login and the call repeated', async () => {
  const before = await api.get('/me', undefined, { auth: true })
  const session = JSON.parse(h.wxState.storage.get('session'))
  h.wxState.storage.set('session', JSON.stringify({ ...session, token: `${session.token}x` })) // signature no longer valid

  const logins = h.calls('login').length
  const me = await api.get('/me', undefined, { auth: true })
  expect(me.id).toBe(before.id)
  expect(h.calls('login').length).toBe(logins + 1)
  const tries = h.requests(/GET .*\/api\/v1\/me$/).slice(-2)
  expect(tries.map((r) => r.header.Authorization === `Bearer ${session.token}x`)).toEqual([true, false])
})

test('the same Idempotency-Key returns the first need instead of creating a second one', async () => {
  const key = api.newKey()
  const body = { kind: 'other', text: '楼下路灯坏了，晚上买菜回来很黑', location: h.POINT }
  const first = await api.post('/demands', body, { key })
  const replay = await api.post('/demands', body, { key })
  expect(replay.id).toBe(first.id)
  const posts = h.requests(/POST .*\/api\/v1\/demands$/).slice(-2)
  expect(posts.map((r) => r.header['Idempotency-Key'])).toEqual([key, key])

  const mine = await api.get('/me/demands', undefined, { auth: true })
  expect(mine.items.filter((d) => d.text === body.text)).toHaveLength(1)

  const other = await api.post('/demands', { ...body, text: '另一件事：小区门口缺个快递柜' })
  expect(other.id).not.toBe(first.id)
})

test("the server's error envelope reaches the user as its Chinese message", async () => {
  const error = await api.post('/demands', { kind: 'missing_type', text: '缺', location: h.POINT }).catch((e) => e)
  expect(error).toMatchObject({ status: 422 })
  const modal = h.calls('showModal').pop()
  expect(modal.content).toContain('“缺什么”需求必须选择业态')

  const outside = await api.get('/circles/locate', { lat: 39.9, lng: 100.0 }, { quiet: true }).catch((e) => e)
  expect(outside).toMatchObject({ status: 404, code: 'outside_circles' })
})

test('a PATCH travels as POST + X-HTTP-Method-Override and the server applies it (wx.request has no PATCH)', async () => {
  const circleId = Number(process.env.MP_CIRCLE_ID)
  const me = await api.patch('/me', { circle_id: circleId }, { quiet: true })
  expect(me.circle_id).toBe(circleId)
  const sent = h.requests(/\/api\/v1\/me$/).pop()
  expect(sent.method).toBe('POST')
  expect(sent.header['X-HTTP-Method-Override']).toBe('PATCH')
})
