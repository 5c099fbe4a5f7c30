// utils/api.js on its own: a scripted wx.request stands in for the server, so each rule is checked exactly.
const path = require('path')

const ROOT = path.resolve(__dirname, '../miniprogram')
let api
let server // (request) => {statusCode, data} | 'drop'
let sent // every wx.request made: {method, url, header, data}
let logins
let storage

const envelope = (code, message, details = {}) => ({ error: { code, message, details } })
const token = (name) => ({
  access_token: name,
  token_type: 'Bearer',
  expires_in: 7200,
  user: { id: 1, roles: ['resident'] },
})
const saveSession = (key, value, expiresAt = Date.now() + 3600e3) =>
  storage.set(key, { token: value, user: { id: 1 }, expiresAt })
const paths = () => sent.map((r) => `${r.method} ${r.url.replace('http://api.test/api/v1', '')}`)

beforeEach(() => {
  jest.resetModules()
  sent = []
  logins = 0
  storage = new Map()
  server = () => ({ statusCode: 200, data: {} })
  global.wx = {
    request(options) {
      if (!['GET', 'POST', 'PUT', 'DELETE'].includes(options.method))
        throw new Error(`wx.request has no ${options.method}`)
      const req = { method: options.method, url: options.url, header: options.header || {}, data: options.data }
      sent.push(req)
      setTimeout(() => {
        const answer = req.url.endsWith('/auth/wechat/login')
          ? { statusCode: 200, data: token(`t${logins}`) }
          : server(req)
        if (answer === 'drop') options.fail({ errMsg: 'request:fail socket hang up' })
        else options.success({ header: {}, ...answer })
      }, 1)
    },
    login(options) {
      logins += 1
      setTimeout(() => options.success({ code: `code-${logins}` }), 1)
    },
    requestSubscribeMessage: jest.fn((options) => options.fail({ errMsg: 'requestSubscribeMessage:fail cancel' })),
    showToast: jest.fn(),
    showModal: jest.fn(),
    getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key, value) => storage.set(key, value),
    removeStorageSync: (key) => storage.delete(key),
    getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop' } }),
  }
  require(path.join(ROOT, 'config')).baseUrl = 'http://api.test/'
  api = require(path.join(ROOT, 'utils/api'))
})

describe('401 → log in again → repeat once', () => {
  test('an expired token: wx.login, new token stored, the POST repeated with the same Idempotency-Key', async () => {
    saveSession('session', 'stale')
    server = (req) =>
      req.header.Authorization === 'Bearer stale'
        ? { statusCode: 401, data: envelope('invalid_token', '登录凭证无效，请重新登录') }
        : { statusCode: 201, data: { id: 7 } }

    const result = await api.post('/demands', { kind: 'other', text: 'x' })

    expect(result).toEqual({ id: 7 })
    expect(paths()).toEqual(['POST /demands', 'POST /auth/wechat/login', 'POST /demands'])
    expect(sent[1].data).toEqual({ code: 'code-1' })
    expect(sent[0].header['Idempotency-Key']).toBeTruthy()
    expect(sent[2].header['Idempotency-Key']).toBe(sent[0].header['Idempotency-Key'])
    expect(sent[2].header.Authorization).toBe('Bearer t1')
    expect(storage.get('session').token).toBe('t1')
    expect(wx.showToast).not.toHaveBeenCalled()
  })

  test('a second 401 is not repeated again; the message is shown and the error thrown', async () => {
    saveSession('session', 'stale')
    server = () => ({ statusCode: 401, data: envelope('account_disabled', '账号已停用') })

    await expect(api.get('/me', undefined, { auth: true })).rejects.toMatchObject({
      status: 401,
      code: 'account_disabled',
      message: '账号已停用',
    })
    expect(paths()).toEqual(['GET /me', 'POST /auth/wechat/login', 'GET /me'])
    expect(wx.showToast).toHaveBeenCalledWith({ title: '账号已停用', icon: 'none', duration: 2500 })
  })

  test('requests failing together share one login', async () => {
    saveSession('session', 'stale')
    server = (req) =>
      req.header.Authorization === 'Bearer stale'
        ? { statusCode: 401, data: envelope('invalid_token', '请重新登录') }
        : { statusCode: 200, data: { ok: req.url } }

    await Promise.all([
      api.get('/me', undefined, { auth: true }),
      api.get('/me/demands', undefined, { auth: true }),
      api.post('/demands', {}),
    ])
    expect(logins).toBe(1)
    expect(paths().filter((p) => p.endsWith('/auth/wechat/login'))).toHaveLength(1)
  })

  test('staff are never logged in with wx.login: their session is dropped and the page asks for the password', async () => {
    saveSession('staff_session', 'staff-old')
    saveSession('session', 'resident-token')
    server = () => ({ statusCode: 401, data: envelope('invalid_token', '登录凭证无效，请重新登录') })

    await expect(api.get('/staff/demands', undefined, { as: 'staff', auth: true })).rejects.toMatchObject({
      code: 'staff_login_required',
    })
    expect(sent[0].header.Authorization).toBe('Bearer staff-old')
    expect(logins).toBe(0)
    expect(storage.has('staff_session')).toBe(false)
    expect(storage.get('session').token).toBe('resident-token')
  })
})

describe('sessions', () => {
  test('public GETs go without logging in; a protected call logs in first', async () => {
    await api.get('/outlets/nearby', { lat: 40.1, lng: 116.1 })
    expect(sent[0].header.Authorization).toBeUndefined()
    expect(logins).toBe(0)

    await api.post('/outlets/3/ratings', { stars: 5 })
    expect(paths().slice(1)).toEqual(['POST /auth/wechat/login', 'POST /outlets/3/ratings'])
    expect(sent[2].header.Authorization).toBe('Bearer t1')
  })

  test('a stored token past its expiry is not sent: the user logs in again first', async () => {
    saveSession('session', 'old', Date.now() - 1000)
    await api.get('/me', undefined, { auth: true })
    expect(paths()).toEqual(['POST /auth/wechat/login', 'GET /me'])
  })
})

describe('Idempotency-Key', () => {
  test("one key per logical action; a key the page passes is reused on the user's retry; none on GET", async () => {
    saveSession('session', 'good')
    await api.post('/demands', { text: 'a' })
    await api.post('/demands', { text: 'b' })
    const key = api.newKey()
    await api.post('/demands', { text: 'c' }, { key })
    await api.post('/demands', { text: 'c' }, { key })
    await api.get('/me/demands')
    await api.patch('/staff/demands/1', { status: 'accepted' })

    const keys = sent.map((r) => r.header['Idempotency-Key'])
    // wx.request has no PATCH: it travels as a POST that names the method it stands for.
    expect(sent[5]).toMatchObject({ method: 'POST', header: { 'X-HTTP-Method-Override': 'PATCH' } })
    expect(keys[0]).not.toBe(keys[1])
    expect([keys[2], keys[3]]).toEqual([key, key])
    expect(keys.slice(4)).toEqual([undefined, undefined])
    expect(key).toMatch(/^[\x21-\x7e]{1,255}$/) // what the server accepts
  })

  test('a dropped connection is retried once with the same key', async () => {
    saveSession('session', 'good')
    let calls = 0
    server = () => (++calls === 1 ? 'drop' : { statusCode: 201, data: { id: 9 } })

    await expect(api.post('/demands', {})).resolves.toEqual({ id: 9 })
    expect(sent).toHaveLength(2)
    expect(sent[1].header['Idempotency-Key']).toBe(sent[0].header['Idempotency-Key'])
  })

  test('two dropped connections give up with a network error', async () => {
    server = () => 'drop'
    await expect(api.get('/business-types')).rejects.toMatchObject({
      status: 0,
      code: 'network_error',
      message: '网络连接失败，请稍后重试',
    })
    expect(sent).toHaveLength(2)
  })
})

describe('error envelope', () => {
  test('a short message goes to a toast, field details to a modal, quiet leaves it to the page', async () => {
    saveSession('session', 'good')
    server = (req) => {
      if (req.url.includes('/support'))
        return { statusCode: 409, data: envelope('already_supported', '您已经支持过该需求') }
      return {
        statusCode: 422,
        data: envelope('validation_failed', '提交的数据有误', { business_type: ['“缺什么”需求必须选择业态'] }),
      }
    }

    await expect(api.post('/demands/3/support')).rejects.toMatchObject({ status: 409, code: 'already_supported' })
    expect(wx.showToast).toHaveBeenLastCalledWith({ title: '您已经支持过该需求', icon: 'none', duration: 2500 })

    const error = await api.post('/demands', { kind: 'missing_type' }).catch((e) => e)
    expect(error).toBeInstanceOf(api.ApiError)
    expect(error.details).toEqual({ business_type: ['“缺什么”需求必须选择业态'] })
    expect(wx.showModal).toHaveBeenLastCalledWith({
      title: '提示',
      content: '提交的数据有误\n“缺什么”需求必须选择业态',
      showCancel: false,
    })

    wx.showToast.mockClear()
    wx.showModal.mockClear()
    await expect(api.post('/demands', {}, { quiet: true })).rejects.toMatchObject({ status: 422 })
    expect(wx.showToast).not.toHaveBeenCalled()
    expect(wx.showModal).not.toHaveBeenCalled()
  })

  test('an answer without the envelope still becomes a readable error', async () => {
    server = () => ({ statusCode: 502, data: '<html>Bad Gateway</html>' })
    await expect(api.get('/business-types')).rejects.toMatchObject({ status: 502, message: '服务暂时不可用（502）' })
  })
})

describe('coordinates and consent', () => {
  test('GCJ-02 is named on every request with a point, and the numbers pass through unchanged', async () => {
    saveSession('session', 'good')
    await api.get('/outlets/nearby', {
      lat: 40.3775,
      lng: 116.8492,
      types: ['breakfast', 'repair'],
      q: '',
      open_now: undefined,
    })
    await api.post('/demands', { location: { lat: 40.3775, lng: 116.8492 }, text: 't' })
    await api.get('/business-types')
    await api.get('/circles/locate', { lat: 1, lng: 2, coord: 'wgs84' })

    expect(sent[0].url).toBe(
      'http://api.test/api/v1/outlets/nearby?lat=40.3775&lng=116.8492&types=breakfast%2Crepair&coord=gcj02',
    )
    expect(sent[1].data).toEqual({ location: { lat: 40.3775, lng: 116.8492 }, text: 't', coord: 'gcj02' })
    expect(sent[2].url).toBe('http://api.test/api/v1/business-types')
    expect(sent[3].url).toContain('coord=wgs84')
  })

  test('subscribe consent asks for the configured templates and never blocks the submission', async () => {
    const answer = await api.requestSubscribe('demand')
    expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['tmpl-demand-status', 'tmpl-demand-confirm'])
    expect(answer).toEqual({ errMsg: 'requestSubscribeMessage:fail cancel' })
  })

  test('the consent the user gave is reported to the server; a failed report does not block', async () => {
    wx.requestSubscribeMessage.mockImplementationOnce((options) =>
      options.success({
        errMsg: 'requestSubscribeMessage:ok',
        'tmpl-demand-status': 'accept',
        'tmpl-demand-confirm': 'filter',
      }),
    )
    server = () => ({ statusCode: 503, data: envelope('unavailable', '服务暂不可用', {}) })
    const answer = await api.requestSubscribe('demand')
    expect(answer['tmpl-demand-status']).toBe('accept')
    const report = sent.find((r) => r.url.endsWith('/api/v1/me/subscriptions'))
    expect(report.method).toBe('POST')
    expect(report.data).toEqual({ results: { 'tmpl-demand-status': 'accept' } })
  })
})
