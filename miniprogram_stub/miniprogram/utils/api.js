/**
 * The one door to the backend (contract: /api/v1, see README.md). Pages call
 *   api.get(path, query, opts) · api.post(path, body, opts) · api.patch / api.put / api.del · api.upload(filePath, purpose)
 * and get the parsed JSON, or an ApiError whose message has already been shown to the user.
 *
 * What it takes care of:
 * - Base URL: config.baseUrl + "/api/v1".
 * - Residents log in silently: wx.login → POST /auth/wechat/login {code} → token kept with
 *   wx.setStorageSync. A 401 (token expired or revoked) logs in again and repeats the request once.
 *   Staff log in with username and password (staffLogin); their token is kept apart and a 401 sends
 *   them back to the staff login form (error code "staff_login_required").
 * - PATCH is sent as POST + "X-HTTP-Method-Override: PATCH" (wx.request has no PATCH).
 * - Idempotency-Key on every POST: one key per logical action. Pass opts.key (from newKey()) when the
 *   user may tap "submit" again after a failure, so the retry cannot create a second record; the
 *   automatic repeats here (after a 401 or a dropped connection) always reuse the key.
 * - Errors: the envelope {"error": {"code", "message", "details"}} becomes ApiError; its Chinese
 *   message is shown with wx.showToast (short) or wx.showModal (long, or field details).
 *   opts.quiet = true leaves showing to the caller.
 * - Coordinates: GCJ-02 in and out, because wx.getLocation({type: 'gcj02'}), wx.chooseLocation,
 *   wx.openLocation and <map> all speak GCJ-02. Nothing is converted here; coord=gcj02 is added to
 *   every query or body that carries lat/lng or a location, so the server answers in GCJ-02 too.
 * - requestSubscribe(name): the subscribe-message consent (wx.requestSubscribeMessage) a page asks
 *   for in the tap handler right before submitting a need or saying "me too"; a refusal does not block
 *   the action. The user's answers are reported to the server (POST /me/subscriptions).
 */
const config = require('../config')

const PREFIX = '/api/v1'
const STORAGE = { resident: 'session', staff: 'staff_session' }
const EXPIRY_MARGIN_MS = 60 * 1000 // log in again a minute early rather than collect a 401

class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || '请求失败，请稍后重试')
    this.name = 'ApiError'
    this.status = status
    this.code = (error && error.code) || 'request_failed'
    this.details = (error && error.details) || {}
  }
}

/** A wx API as a promise (fail → reject). */
function wxp(name, options = {}) {
  return new Promise((resolve, reject) => wx[name]({ ...options, success: resolve, fail: reject }))
}

/** A fresh Idempotency-Key: printable ASCII, unique enough for one user's actions in 24 hours. */
function newKey() {
  const random = () => Math.random().toString(36).slice(2, 10)
  return `mp-${Date.now().toString(36)}-${random()}${random()}`
}

function query(params) {
  const parts = []
  Object.keys(params || {}).forEach((name) => {
    let value = params[name]
    if (value === undefined || value === null || value === '') return
    if (Array.isArray(value)) value = value.join(',')
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
  })
  return parts.length ? `?${parts.join('&')}` : ''
}

function withCoord(data) {
  if (!data || typeof data !== 'object' || data.coord) return data
  const hasPoint = ('lat' in data && 'lng' in data) || 'location' in data
  return hasPoint ? { ...data, coord: config.coord } : data
}

// ---- sessions ---------------------------------------------------------------------------------

function session(as = 'resident') {
  const saved = wx.getStorageSync(STORAGE[as])
  if (!saved || !saved.token) return null
  if (saved.expiresAt && Date.now() > saved.expiresAt - EXPIRY_MARGIN_MS) return null
  return saved
}

function saveSession(as, body) {
  const saved = { token: body.access_token, user: body.user, expiresAt: Date.now() + body.expires_in * 1000 }
  wx.setStorageSync(STORAGE[as], saved)
  return saved
}

function logout(as = 'resident') {
  wx.removeStorageSync(STORAGE[as])
}

let loginInFlight = null

/** wx.login → /auth/wechat/login; concurrent callers share one login. */
function login() {
  if (!loginInFlight) {
    loginInFlight = wxp('login')
      .then(({ code }) => send({ method: 'POST', url: url('/auth/wechat/login'), data: { code } }))
      .then((res) => saveSession('resident', unwrap(res)))
      .finally(() => {
        loginInFlight = null
      })
  }
  return loginInFlight
}

function staffLogin(username, password) {
  return send({ method: 'POST', url: url('/auth/staff/login'), data: { username, password } })
    .then((res) => saveSession('staff', unwrap(res)))
    .catch((error) => fail(error, {}))
}

// ---- transport --------------------------------------------------------------------------------

function url(path) {
  return config.baseUrl.replace(/\/+$/, '') + PREFIX + path
}

/** One HTTP exchange; resolves with any HTTP status, rejects (code network_error) when there is none. */
function send({ method, url: target, data, token, key, filePath, purpose }) {
  const header = {}
  if (token) header.Authorization = `Bearer ${token}`
  if (key) header['Idempotency-Key'] = key
  const networkError = (e) =>
    new ApiError(0, { code: 'network_error', message: '网络连接失败，请稍后重试', details: { errMsg: e && e.errMsg } })
  if (filePath) {
    return wxp('uploadFile', {
      url: target,
      filePath,
      name: 'file',
      formData: { purpose },
      header,
      timeout: config.requestTimeoutMs,
    })
      .then((res) => ({ statusCode: res.statusCode, data: parseJson(res.data), header: res.header || {} }))
      .catch((e) => Promise.reject(networkError(e)))
  }
  if (data !== undefined) header['Content-Type'] = 'application/json'
  // wx.request knows OPTIONS, GET, HEAD, POST, PUT, DELETE, TRACE and CONNECT, not PATCH: a PATCH goes as a
  // POST with X-HTTP-Method-Override, which the server routes as the PATCH it stands for.
  if (method === 'PATCH') header['X-HTTP-Method-Override'] = 'PATCH'
  const wireMethod = method === 'PATCH' ? 'POST' : method
  return wxp('request', { url: target, method: wireMethod, data, header, timeout: config.requestTimeoutMs }).catch(
    (e) => Promise.reject(networkError(e)),
  )
}

function parseJson(text) {
  if (typeof text !== 'string') return text
  try {
    return JSON.parse(text)
  } catch (e) {
    return text
  }
}

function unwrap(res) {
  if (res.statusCode >= 200 && res.statusCode < 300) return res.data
  const body = res.data && res.data.error ? res.data.error : { message: `服务暂时不可用（${res.statusCode}）` }
  throw new ApiError(res.statusCode, body)
}

/**
 * One logical request: the session's token, one Idempotency-Key for POST, and at most one repeat
 * (after a 401 for residents, or after a dropped connection).
 */
async function request(method, path, data, opts = {}) {
  const as = opts.as || 'resident'
  const key = method === 'POST' ? opts.key || newKey() : null
  const target = url(method === 'GET' ? path + query(withCoord(data)) : path)
  const body = method === 'GET' ? undefined : withCoord(data)
  // GETs are public unless told otherwise: they carry a token when there is one but never log in for it.
  const needsLogin = opts.auth !== undefined ? opts.auth : method !== 'GET'
  const attempt = async (repeated) => {
    let current = session(as)
    if (!current && needsLogin) {
      if (as === 'staff') throw staffLoginRequired()
      current = await login()
    }
    let res
    try {
      res = await send({ method, url: target, data: body, token: current && current.token, key, ...opts.file })
    } catch (error) {
      if (repeated) throw error
      return attempt(true)
    }
    if (res.statusCode === 401 && !repeated) {
      if (current) logout(as)
      if (as === 'staff') throw staffLoginRequired()
      await login()
      return attempt(true)
    }
    return unwrap(res)
  }
  try {
    return await attempt(false)
  } catch (error) {
    return fail(error, opts)
  }
}

function staffLoginRequired() {
  return new ApiError(401, { code: 'staff_login_required', message: '请先登录工作人员账号' })
}

function fail(error, opts) {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(0, { code: 'client_error', message: error.errMsg || String(error) })
  if (!opts.quiet) showError(apiError)
  throw apiError
}

/** Shows the server's Chinese message; field details (422) go into a modal so they can be read. */
function showError(error) {
  const lines = Object.keys(error.details || {})
    .filter((field) => Array.isArray(error.details[field]))
    .map((field) => error.details[field].join('；'))
  if (lines.length || error.message.length > 14) {
    const content = [error.message].concat(lines.filter((line) => line !== error.message)).join('\n')
    wx.showModal({ title: '提示', content, showCancel: false })
  } else {
    wx.showToast({ title: error.message, icon: 'none', duration: 2500 })
  }
}

const CONSENT_ANSWERS = ['accept', 'reject', 'ban']

/**
 * Subscribe-message consent; resolves with {templateId: 'accept' | 'reject' | ...} and never rejects.
 * The answers are reported to POST /me/subscriptions, so the server queues only the messages the user
 * allowed (one per "accept"); a failed report is ignored (the server then sends as before).
 */
function requestSubscribe(name) {
  const tmplIds = config.templateIds[name] || []
  if (!tmplIds.length) return Promise.resolve({})
  return wxp('requestSubscribeMessage', { tmplIds })
    .then((answer) => {
      const results = {}
      tmplIds.forEach((id) => {
        if (CONSENT_ANSWERS.indexOf(answer[id]) >= 0) results[id] = answer[id]
      })
      if (!Object.keys(results).length) return answer
      return request('POST', '/me/subscriptions', { results }, { quiet: true })
        .catch(() => null)
        .then(() => answer)
    })
    .catch((e) => ({ errMsg: e && e.errMsg }))
}

module.exports = {
  ApiError,
  get: (path, params, opts) => request('GET', path, params, opts),
  post: (path, body, opts) => request('POST', path, body || {}, opts),
  put: (path, body, opts) => request('PUT', path, body, opts),
  patch: (path, body, opts) => request('PATCH', path, body, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
  /** wx.uploadFile to POST /uploads (multipart: file + purpose); resolves with the Upload (id, url …). */
  upload: (filePath, purpose, opts = {}) =>
    request('POST', '/uploads', undefined, { ...opts, file: { filePath, purpose } }),
  login,
  staffLogin,
  logout,
  session,
  newKey,
  requestSubscribe,
  showError,
  wxp,
}
