/**
 * Runs the mini-program's pages in Node against the real backend that scripts/miniprogram-test.sh starts.
 *
 * miniprogram-simulate renders a page (built with Component(), as WeChat allows for pages) into jsdom,
 * compiling the WXML with the official compiler. The `wx` APIs the pages use are provided here:
 * wx.request / wx.uploadFile really go over HTTP to MP_BACKEND_URL; wx.login returns a code the local
 * WeChat stub accepts (the same code is the same resident); locations are GCJ-02 points inside the demo
 * circle; chooseMedia returns a real JPEG; dialogs answer from a queue the test fills.
 */
const fs = require('fs')
const http = require('http')
const path = require('path')
const simulate = require('miniprogram-simulate')

const ROOT = path.resolve(__dirname, '../miniprogram')
const env = (name) => {
  if (!process.env[name]) throw new Error(`${name} is not set: run the tests with scripts/miniprogram-test.sh`)
  return process.env[name]
}
const BACKEND = env('MP_BACKEND_URL')
const [POINT_LNG, POINT_LAT] = env('MP_POINT').split(',').map(Number)
const PHOTO = path.join(__dirname, 'fixtures', 'shop.jpg')

// ---- HTTP -------------------------------------------------------------------------------------

let inflight = 0

function httpCall(method, url, headers = {}, body = null) {
  inflight += 1
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      )
    })
    req.on('error', reject)
    req.setTimeout(15000, () => req.destroy(new Error('timeout')))
    if (body) req.write(body)
    req.end()
  }).finally(() => {
    inflight -= 1
  })
}

const parse = (text) => {
  try {
    return JSON.parse(text)
  } catch (e) {
    return text
  }
}

/** Direct API calls for test set-up and cross-checks (not through the pages). */
const backend = {
  async call(method, apiPath, { token, body, query } = {}) {
    const qs = query ? `?${new URLSearchParams(query)}` : ''
    const headers = { 'Content-Type': 'application/json' }
    if (token) headers.Authorization = `Bearer ${token}`
    const res = await httpCall(method, `${BACKEND}/api/v1${apiPath}${qs}`, headers, body ? JSON.stringify(body) : null)
    return { status: res.status, headers: res.headers, body: parse(res.text) }
  },
  async get(apiPath, query, token) {
    const res = await backend.call('GET', apiPath, { query, token })
    if (res.status !== 200) throw new Error(`GET ${apiPath} → ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  },
  async staffToken(username = env('MP_STAFF_USER')) {
    const res = await backend.call('POST', '/auth/staff/login', {
      body: { username, password: env('MP_STAFF_PASSWORD') },
    })
    if (res.status !== 200) throw new Error(`staff login → ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.access_token
  },
  /** The district bureau (商务局) of the test circle's city: opens survey periods, freezes grades. */
  bureauToken() {
    return backend.staffToken(env('MP_BUREAU_USER'))
  },
  async residentToken(code) {
    const res = await backend.call('POST', '/auth/wechat/login', { body: { code } })
    return res.body.access_token
  },
}

/** The local WeChat API stub's test endpoints (what the server sent to "WeChat"). */
const stub = {
  async sent(touser) {
    const res = await httpCall('GET', `${env('MP_STUB_URL')}/stub/sent?${new URLSearchParams({ touser })}`)
    return JSON.parse(res.text).sent
  },
}

// ---- wx ---------------------------------------------------------------------------------------

const state = {
  storage: new Map(),
  loginCode: 'mp-default',
  location: { latitude: POINT_LAT, longitude: POINT_LNG },
  // What the user picks on wx.chooseLocation's map: ~60 m north-east of where they stand.
  chosen: { name: '小区南门', address: '测试路 1 号', latitude: POINT_LAT + 0.0004, longitude: POINT_LNG + 0.0005 },
  modalAnswers: [],
  log: [],
  files: new Map(), // what pages wrote with wx.getFileSystemManager(), by path
}

const ok = (options, res) => {
  if (options.success) options.success(res)
  if (options.complete) options.complete(res)
}
const failed = (options, res) => {
  if (options.fail) options.fail(res)
  if (options.complete) options.complete(res)
}
const record = (api, options) => state.log.push({ api, ...options })
const recorder =
  (api, result = {}) =>
  (options = {}) => {
    record(api, options)
    ok(options, { errMsg: `${api}:ok`, ...result })
  }

// The methods wx.request accepts (its documentation's list; PATCH is not one of them).
const WX_METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']

function request(options) {
  const method = options.method || 'GET'
  if (!WX_METHODS.includes(method)) {
    record('request', { method, url: options.url, refused: true })
    return failed(options, { errMsg: `request:fail method invalid: ${method}` })
  }
  let url = options.url
  let body = null
  if (options.data !== undefined && options.data !== null) {
    if (method === 'GET') {
      url += (url.includes('?') ? '&' : '?') + new URLSearchParams(options.data)
    } else {
      body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data)
    }
  }
  const header = { 'Content-Type': 'application/json', ...(options.header || {}) }
  record('request', { method, url, header, data: options.data })
  httpCall(method, url, header, body).then(
    (res) => ok(options, { errMsg: 'request:ok', statusCode: res.status, header: res.headers, data: parse(res.text) }),
    (error) => failed(options, { errMsg: `request:fail ${error.message}` }),
  )
  return { abort() {} }
}

function uploadFile(options) {
  const boundary = `----mp${Date.now().toString(16)}`
  const parts = []
  Object.entries(options.formData || {}).forEach(([name, value]) => {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  })
  const filename = path.basename(options.filePath)
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${options.name}"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
  )
  parts.push(fs.readFileSync(options.filePath), Buffer.from(`\r\n--${boundary}--\r\n`))
  const header = { ...(options.header || {}), 'Content-Type': `multipart/form-data; boundary=${boundary}` }
  record('uploadFile', { url: options.url, header, formData: options.formData })
  // wx.uploadFile hands the body over as a string, unparsed.
  httpCall('POST', options.url, header, Buffer.concat(parts)).then(
    (res) => ok(options, { errMsg: 'uploadFile:ok', statusCode: res.status, data: res.text }),
    (error) => failed(options, { errMsg: `uploadFile:fail ${error.message}` }),
  )
  return { abort() {}, onProgressUpdate() {} }
}

Object.assign(global.wx, {
  request,
  uploadFile,
  login: (options) => {
    record('login', {})
    ok(options, { errMsg: 'login:ok', code: state.loginCode })
  },
  getLocation: (options) => {
    record('getLocation', { type: options.type })
    if (options.type !== 'gcj02') return failed(options, { errMsg: 'getLocation:fail the pages must ask for gcj02' })
    return ok(options, { errMsg: 'getLocation:ok', ...state.location, accuracy: 30 })
  },
  chooseLocation: (options) => {
    record('chooseLocation', options)
    ok(options, { errMsg: 'chooseLocation:ok', ...state.chosen })
  },
  chooseMedia: (options) => {
    record('chooseMedia', options)
    ok(options, {
      errMsg: 'chooseMedia:ok',
      type: 'image',
      tempFiles: [{ tempFilePath: PHOTO, size: fs.statSync(PHOTO).size, fileType: 'image' }],
    })
  },
  requestSubscribeMessage: (options) => {
    record('requestSubscribeMessage', options)
    ok(
      options,
      Object.fromEntries(
        [['errMsg', 'requestSubscribeMessage:ok']].concat(options.tmplIds.map((id) => [id, 'accept'])),
      ),
    )
  },
  showModal: (options) => {
    record('showModal', options)
    ok(options, {
      errMsg: 'showModal:ok',
      confirm: true,
      cancel: false,
      content: '',
      ...(state.modalAnswers.shift() || {}),
    })
  },
  showToast: recorder('showToast'),
  showLoading: recorder('showLoading'),
  hideLoading: recorder('hideLoading'),
  navigateTo: recorder('navigateTo'),
  redirectTo: recorder('redirectTo'),
  reLaunch: recorder('reLaunch'),
  switchTab: recorder('switchTab'),
  navigateBack: recorder('navigateBack'),
  openLocation: recorder('openLocation'),
  makePhoneCall: recorder('makePhoneCall'),
  setNavigationBarTitle: recorder('setNavigationBarTitle'),
  stopPullDownRefresh: recorder('stopPullDownRefresh'),
  getStorageSync: (key) => (state.storage.has(key) ? JSON.parse(state.storage.get(key)) : ''),
  setStorageSync: (key, value) => state.storage.set(key, JSON.stringify(value)),
  removeStorageSync: (key) => state.storage.delete(key),
  env: { USER_DATA_PATH: 'wxfile://usr' },
  getFileSystemManager: () => ({
    writeFile: (options) => {
      record('writeFile', { filePath: options.filePath })
      state.files.set(options.filePath, options.data)
      ok(options, { errMsg: 'writeFile:ok' })
    },
  }),
  getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop', version: '' } }),
})

// The pages read the base URL from config.js; point it at the backend under test.
require(path.join(ROOT, 'config')).baseUrl = BACKEND

// ---- pages ------------------------------------------------------------------------------------

/** Waits until no HTTP exchange is in flight and the pages' promise chains have settled. */
async function idle(timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs
  let quiet = 0
  while (quiet < 3) {
    if (Date.now() > deadline) throw new Error('page did not settle (requests still in flight)')
    await simulate.sleep(inflight ? 10 : 2)
    quiet = inflight ? 0 : quiet + 1
  }
}

// A page's JS runs once per test file (jest keeps required modules), so each definition is loaded once
// and rendered afresh for every openPage.
const loaded = {}

/** Renders a page and runs its onLoad(query) and onShow like WeChat does when it is opened. */
async function openPage(name, query = {}) {
  loaded[name] = loaded[name] || simulate.load(path.join(ROOT, 'pages', name), { compiler: 'official', rootPath: ROOT })
  const page = simulate.render(loaded[name])
  page.attach(document.createElement('parent-wrapper'))
  const methods = page.instance
  if (methods.onLoad) await methods.onLoad(query)
  if (methods.onShow) await methods.onShow()
  await idle()
  return page
}

const all = (page, selector) => page.querySelectorAll(selector)
const texts = (page, selector) => all(page, selector).map((node) => node.dom.textContent.trim())
const text = (page, selector) => texts(page, selector).join(' ')

/** A user event on the n-th element matching the selector, then waits for the page to settle. */
async function trigger(page, selector, eventName = 'tap', detail = {}, index = 0) {
  const nodes = all(page, selector)
  if (!nodes[index]) throw new Error(`no element ${selector}[${index}] on the page`)
  nodes[index].dispatchEvent(eventName, { detail })
  await idle()
}
const tap = (page, selector, index = 0) => trigger(page, selector, 'tap', {}, index)
const input = (page, selector, value) => trigger(page, selector, 'input', { value })

const phones = new Map()

/** Switches to another person's phone: their WeChat login code (the same code is the same user) and storage. */
function actAs(code) {
  if (!phones.has(code)) phones.set(code, new Map())
  state.storage = phones.get(code)
  state.loginCode = code
}

const calls = (api) => state.log.filter((entry) => entry.api === api)
const requests = (pattern) => calls('request').filter((r) => pattern.test(`${r.method} ${r.url}`))

module.exports = {
  ROOT,
  BACKEND,
  POINT: { lat: POINT_LAT, lng: POINT_LNG },
  wxState: state,
  backend,
  stub,
  openPage,
  idle,
  all,
  text,
  texts,
  tap,
  input,
  trigger,
  actAs,
  calls,
  requests,
}
