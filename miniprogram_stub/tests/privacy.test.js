// 我的数据与隐私: consent to the current privacy notice, phone through WeChat's button (masked), export, 注销.
const h = require('./harness')

const CODE = 'mp-privacy-li'
let needId
let oldToken

beforeAll(async () => {
  h.actAs(CODE)
  // Something to export: a need filed earlier by the same WeChat user (same login code = same resident).
  oldToken = await h.backend.residentToken(CODE)
  const need = await h.backend.call('POST', '/demands', {
    token: oldToken,
    body: {
      kind: 'other', // a missing type with such shops already in reach would need a reason (409)
      text: '楼下想要一家早餐店',
      location: { lat: h.POINT.lat, lng: h.POINT.lng },
      coord: 'gcj02',
    },
  })
  expect(need.status).toBe(201)
  needId = need.body.id
})

test('the 我的 tab leads to the page and asks for consent until it is given', async () => {
  const mine = await h.openPage('mine/index')
  expect(h.text(mine, '.consent-banner')).toContain('请阅读并同意')
  await h.tap(mine, '.privacy')
  expect(h.calls('navigateTo').pop().url).toBe('/pages/privacy/index')

  const page = await h.openPage('privacy/index')
  const notice = await h.backend.get('/privacy-notice')
  expect(h.text(page, '.notice')).toContain(notice.version)
  expect(h.all(page, '.consent-required')).toHaveLength(1)
  await h.tap(page, '.agree')
  expect(h.requests(/POST .*\/me\/privacy-consent$/).pop().data).toEqual({ version: notice.version })
  expect(h.text(page, '.consent-given')).toBe(`已同意版本 ${notice.version}`)
  const me = await h.backend.get('/me', undefined, oldToken)
  expect(me.privacy_version).toBe(notice.version)
  expect(me.consent_required).toBe(false)
})

test('the phone number comes only from the WeChat button and is shown masked', async () => {
  const page = await h.openPage('privacy/index')
  expect(h.text(page, '.phone-shown')).toBe('未绑定')
  await h.trigger(page, '.phone', 'getphonenumber', { code: 'phone-13800001111', errMsg: 'getPhoneNumber:ok' })
  expect(h.requests(/POST .*\/me\/phone$/).pop().data).toEqual({ phone_code: 'phone-13800001111' })
  expect(h.text(page, '.phone-shown')).toBe('138****1111')
  await h.tap(page, '.withdraw-phone')
  expect(h.requests(/DELETE .*\/me\/phone$/)).toHaveLength(1)
  expect(h.text(page, '.phone-shown')).toBe('未绑定')
  // A refusal at the button sends nothing.
  await h.trigger(page, '.phone', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' })
  expect(h.requests(/POST .*\/me\/phone$/)).toHaveLength(1)
})

test('the resident exports their data as a JSON file', async () => {
  const page = await h.openPage('privacy/index')
  await h.tap(page, '.export')
  const saved = JSON.parse(h.wxState.files.get('wxfile://usr/my-data.json'))
  expect(saved.records.account.openid).toBe(`stub-openid-${CODE}`)
  expect(saved.records.needs.map((n) => [n.id, n.text])).toEqual([[needId, '楼下想要一家早餐店']])
  expect(h.texts(page, '.export-count')[0].replace(/\s+/g, '')).toBe('需求1')
})

test('deleting the account ends the session and keeps the need as 已注销用户', async () => {
  const page = await h.openPage('privacy/index')
  h.wxState.modalAnswers.push({ confirm: true }, { confirm: false, cancel: true }) // delete; keep public content
  await h.tap(page, '.delete')
  expect(h.requests(/POST .*\/me\/deletion$/).pop().data).toEqual({ confirm: true, remove_content: false })
  expect(h.calls('reLaunch').pop().url).toBe('/pages/home/index')
  expect(h.wxState.storage.has('session')).toBe(false)
  // Tokens issued before no longer work; the public need is still there.
  const refused = await h.backend.call('GET', '/me', { token: oldToken })
  expect(refused.status).toBe(401)
  expect(refused.body.error.code).toBe('invalid_token')
  const need = await h.backend.get(`/demands/${needId}`)
  expect(need.text).toBe('楼下想要一家早餐店')
  // Opening the app again is a new, unrelated account that must consent again.
  const again = await h.backend.call('POST', '/auth/wechat/login', { body: { code: CODE } })
  expect(again.body.user.id).not.toBe(tokenUserId(oldToken))
  expect(again.body.consent_required).toBe(true)
})

function tokenUserId(token) {
  return Number(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub)
}
