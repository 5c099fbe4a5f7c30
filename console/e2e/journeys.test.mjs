// The console's journeys in a real headless Chromium (Debian's, driven by playwright-core) against a live backend
// started by scripts/console-test.sh. Each journey saves screenshots under $SHOTS (1366×768) for review.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { chromium } from 'playwright-core'

const env = process.env
const BASE = env.CONSOLE_URL
const API = `${BASE}/api/v1`
const SHOTS = env.SHOTS || 'shots'
const DEMO = Number(env.DEMO_CIRCLE)
const RATED = Number(env.RATED_CIRCLE)
const OTHER = Number(env.OTHER_CIRCLE)
const STAMP = Date.now().toString(36).slice(-4)
const NEED_TEXT = `E2E${STAMP} 小区南门缺一家早餐店，早上买不到包子豆浆`
const NEED_TWIN = `E2E${STAMP} 南门附近没有早餐店，想要包子豆浆`
const SHOP = `E2E${STAMP} 张记便民早点`
let CLAIMED // the demo outlet a merchant claims (认领), set up in before()

let browser

// ---- API helpers (bearer tokens, as the mini-program would) ------------------------------------
async function api(method, path, { token, body, form } = {}) {
  const headers = {}
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${API}${path}`, { method, headers, body: form || (body === undefined ? undefined : JSON.stringify(body)) })
  const payload = response.headers.get('content-type')?.includes('json') ? await response.json() : null
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(payload)}`)
  return payload
}
async function resident(code) {
  return (await api('POST', '/auth/wechat/login', { body: { code } })).access_token
}

/** A small real PNG (solid colour) for the application's photo: the upload checks magic bytes and decodes it. */
function png(width = 64, height = 48, rgb = [64, 140, 220]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    out.write(type, 4, 'ascii')
    data.copy(out, 8)
    out.writeUInt32BE(crc(Buffer.concat([Buffer.from(type, 'ascii'), data])), 8 + data.length)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = 2
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw.set(rgb, y * (width * 3 + 1) + 1 + x * 3)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// ---- browser helpers --------------------------------------------------------------------------------
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error('[page error]', error.stack || error.message))
  return page
}
/** An Element Plus input by its data-test (el-input puts attributes on the native input, others on a wrapper). */
function field(scope, name) {
  return scope.locator(`input[data-test=${name}], [data-test=${name}] input`).first()
}
/** Waits for Element Plus's message toast saying `text`. */
async function toast(page, text) {
  await page.locator('.el-message', { hasText: text }).first().waitFor()
}
async function shot(page, name) {
  await page.waitForTimeout(300) // transitions settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}
async function signIn(page, username, password) {
  await page.goto(`${BASE}/console/login`)
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=who]')
}

before(async () => {
  // Playwright runs Chromium with a fresh temporary --user-data-dir of its own (it refuses one in args); each
  // journey has its own browser context (own cookies). The flags keep Chromium off a closed network.
  browser = await chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  // Two residents ask for the same thing a few metres apart: the board should suggest merging them.
  const demo = await api('GET', `/circles/${DEMO}?coord=gcj02`)
  const community = demo.communities[0]
  const ring = demo.boundary.coordinates[0][0]
  const centre = ring.reduce(([x, y], [a, b]) => [x + a / ring.length, y + b / ring.length], [0, 0])
  const at = (dx) => ({ lng: centre[0] + dx, lat: centre[1] })
  for (const [code, text, dx] of [
    [`e2e-${STAMP}-a`, NEED_TEXT, 0],
    [`e2e-${STAMP}-b`, NEED_TWIN, 0.0004],
  ])
    await api('POST', '/demands', {
      token: await resident(code),
      body: { kind: 'missing_type', business_type: 'breakfast', text, location: at(dx), coord: 'gcj02', existing_reason: 'too_far' },
    })
  // A resident applies to list a breakfast shop, with a photo; it waits for review.
  const merchant = await resident(`e2e-${STAMP}-shop`)
  const form = new FormData()
  form.append('purpose', 'outlet_photo')
  form.append('file', new Blob([png()], { type: 'image/png' }), 'shop.png')
  const photo = await api('POST', '/uploads', { token: merchant, form })
  // A merchant claims a listed demo shop with the licence photo and WeChat's phone check; it waits for review.
  const listed = await api('GET', `/outlets/nearby?lng=${centre[0]}&lat=${centre[1]}&radius=1500&coord=gcj02&page_size=5`)
  CLAIMED = listed.items[0].name
  const owner = await resident(`e2e-${STAMP}-claim`)
  const licence = new FormData()
  licence.append('purpose', 'certification')
  licence.append('file', new Blob([png(80, 60, [220, 60, 60])], { type: 'image/png' }), 'licence.png')
  const licencePhoto = await api('POST', '/uploads', { token: owner, form: licence })
  await api('POST', '/merchant/claims', {
    token: owner,
    body: { outlet_id: listed.items[0].id, licence_no: '91110228MA01E2E01Y', licence_photo_id: licencePhoto.id, contact_name: '店主', phone_code: `e2e-${STAMP}-phone` },
  })
  await api('POST', '/merchant/applications', {
    token: merchant,
    body: {
      name: SHOP,
      types: ['breakfast'],
      location: at(0.0008),
      coord: 'gcj02',
      address: `${community?.name || ''}南门东侧 12 号`,
      hours: { mon: [['06:30', '10:30']], tue: [['06:30', '10:30']] },
      photo_ids: [photo.id],
      certification: { licence_number: '91110228MA01E2E00X' },
    },
  })
})

after(async () => {
  await browser?.close()
})

test('staff sign in (a wrong password first), find two duplicate needs, merge them, make a project, mark it done', async () => {
  const page = await newPage()
  await page.goto(`${BASE}/console/`)
  await page.waitForSelector('input[name=username]')
  await page.fill('input[name=username]', env.STAFF_USER)
  await page.fill('input[name=password]', 'not-the-password')
  await page.click('[data-test=login-submit]')
  const error = page.locator('[data-test=login-error]')
  await error.waitFor()
  assert.match(await error.innerText(), /用户名或密码错误/)
  await shot(page, '01-login-wrong-password')

  await page.fill('input[name=password]', env.STAFF_PASSWORD)
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=who]')
  assert.match(await page.locator('[data-test=who]').innerText(), /李老师/)
  await page.waitForSelector('[data-test=needs-submitted]')
  await shot(page, '02-overview-staff')
  // the session is an HttpOnly cookie: the page's script cannot read it, and nothing is in web storage
  const seen = await page.evaluate(() => ({ cookie: document.cookie, stored: JSON.stringify(localStorage) }))
  assert.doesNotMatch(seen.cookie, /console_access/)
  assert.match(seen.cookie, /console_csrf=/)
  assert.equal(seen.stored, '{}')

  await page.goto(`${BASE}/console/circles/${DEMO}/needs`)
  await field(page, 'needs-q').fill(`E2E${STAMP}`)
  await page.click('[data-test=needs-search]')
  const rows = page.locator('[data-test=needs-table] .el-table__body tr')
  await page.waitForFunction(() => document.querySelectorAll('[data-test=needs-table] .el-table__body tr').length === 2)
  await shot(page, '03-needs-board')
  await rows.filter({ hasText: '小区南门缺一家早餐店' }).click()
  const twin = page.locator('[data-test=duplicate]', { hasText: NEED_TWIN })
  await twin.waitFor()
  assert.match(await twin.innerText(), /很可能重复/)
  await shot(page, '04-need-duplicates')
  await twin.locator('[data-test=merge]').click()
  await page.locator('.el-message-box').getByRole('button', { name: '合并' }).click()
  await toast(page, '已合并')
  await twin.waitFor({ state: 'detached' })
  await page.waitForFunction(() => document.querySelectorAll('[data-test=needs-table] .el-table__body tr').length === 1)
  assert.match(await page.locator('[data-test=need-drawer]').innerText(), /支持 1/) // the twin's supporter joined

  await page.click('[data-test=make-project]')
  const dialog = page.locator('[data-test=project-dialog]')
  await dialog.waitFor()
  await field(dialog, 'project-title').fill(`E2E${STAMP} 南门早餐点`)
  await shot(page, '05-project-dialog')
  await dialog.locator('[data-test=project-save]').click()
  await toast(page, '项目已创建')
  await page.locator('[data-test=need-drawer]').getByText(`E2E${STAMP} 南门早餐点`).first().waitFor()

  await page.goto(`${BASE}/console/circles/${DEMO}/projects`)
  const project = page.locator('[data-test=projects-table] .el-table__body tr', { hasText: `E2E${STAMP} 南门早餐点` })
  await project.waitFor()
  await project.locator('[data-test=project-done]').click()
  await toast(page, '项目已完成')
  await project.getByText('已完成').waitFor()
  await shot(page, '06-project-done')
  const need = (await api('GET', `/circles/${DEMO}/demands?status=done&page_size=50`)).items.find((d) => d.text === NEED_TEXT)
  assert.ok(need, 'the need is done with its project')
  await page.context().close()
})

test('a form with bad input shows the field message in Chinese and keeps what was typed', async () => {
  const page = await newPage()
  await signIn(page, env.STAFF_USER, env.STAFF_PASSWORD)
  await page.goto(`${BASE}/console/circles/${DEMO}/projects`)
  await page.click('[data-test=new-project]')
  const dialog = page.locator('[data-test=project-dialog]')
  await dialog.waitFor()
  await dialog.locator('[data-test=project-save]').click()
  await dialog.getByText('请输入项目名称').waitFor() // checked in the page before sending
  const title = `E2E${STAMP} 便民菜店（补短板）`
  await field(dialog, 'project-title').fill(title)
  for (const [name, day] of [
    ['planned-start', '2026-12-20'],
    ['planned-end', '2026-12-01'],
  ]) {
    const input = field(dialog, name)
    await input.click()
    await input.fill(day)
    await input.press('Enter')
  }
  await dialog.locator('.el-dialog__header').click() // close the date panel
  await dialog.locator('[data-test=project-save]').click()
  await dialog.getByText('结束日期不能早于开始日期').waitFor() // the server's 422, under the field it names
  assert.equal(await field(dialog, 'project-title').inputValue(), title)
  assert.equal(await field(dialog, 'planned-end').inputValue(), '2026-12-01')
  await shot(page, '07-form-field-error')
  await page.context().close()
})

test('the bureau approves a merchant application and finds the outlet on the map', async () => {
  const page = await newPage()
  await signIn(page, env.BUREAU_USER, env.BUREAU_PASSWORD)
  await page.waitForSelector('[data-test=city-overview]')
  await shot(page, '08-overview-bureau')
  await page.goto(`${BASE}/console/applications`)
  const row = page.locator('[data-test=applications] .el-table__body tr', { hasText: SHOP })
  await row.waitFor()
  await row.click()
  const detail = page.locator('[data-test=application-detail]')
  await detail.getByText(SHOP).first().waitFor()
  await page.locator('[data-test=application-map] .leaflet-tooltip').first().waitFor()
  await detail.locator('.photos img').first().waitFor()
  await shot(page, '09-application-detail')
  await detail.locator('[data-test=approve]').click()
  await toast(page, '已通过，网点已发布')
  await detail.locator('[data-test=show-on-map]').click()
  await page.waitForSelector('[data-test=circle-map] .leaflet-popup-content')
  assert.match(await page.locator('.leaflet-popup-content').innerText(), new RegExp(SHOP))
  // and by the map's search box
  await field(page, 'map-search').fill(SHOP.slice(0, 10))
  await page.locator('[data-test=map-match]').first().waitFor()
  await shot(page, '10-map-approved-outlet')
  await page.context().close()
})

test('staff of the circle verify a claim of a listed shop and approve it', async () => {
  const page = await newPage()
  await signIn(page, env.BUREAU_USER, env.BUREAU_PASSWORD)
  await page.goto(`${BASE}/console/applications?tab=claims`)
  const row = page.locator('[data-test=claims] .el-table__body tr', { hasText: CLAIMED })
  await row.first().waitFor()
  await row.first().click()
  const detail = page.locator('[data-test=claim-detail]')
  await detail.locator('[data-test=claim-phone]').waitFor()
  await detail.locator('[data-test=claim-licence]').waitFor()
  await shot(page, '10b-claim-detail')
  await detail.locator('[data-test=claim-approve]').click()
  await toast(page, '已通过，申请人成为该网点的商户')
  await detail.getByText('认领通过').waitFor() // the audit trail
  await page.context().close()
})

test('the evaluation page shows the circle\'s stars with outlet names in the evidence', async () => {
  const page = await newPage()
  await signIn(page, env.STAFF_USER, env.STAFF_PASSWORD)
  await page.goto(`${BASE}/console/circles/${RATED}/evaluation`)
  const stars = page.locator('[data-test=stars]')
  await stars.waitFor()
  assert.match(await stars.innerText(), /★/)
  const evaluation = await page.evaluate(async (id) => (await fetch(`/api/v1/circles/${id}/evaluation`)).json(), RATED)
  assert.ok(evaluation.stars >= 1)
  assert.equal((await stars.innerText()).split('★').length - 1, evaluation.stars)
  const [type, ids] = Object.entries(evaluation.presence.basic.evidence).find(([, list]) => list.length)
  const named = await page.evaluate(async ([id, outlet]) => (await fetch(`/api/v1/staff/outlets?circle_id=${id}&ids=${outlet}`)).json(), [RATED, ids[0]])
  const items = page.locator('[data-test=basic-items]')
  await items.getByText(named.items[0].name).first().waitFor()
  assert.ok(type)
  await shot(page, '11-evaluation')
  await page.getByRole('tab', { name: '一单（缺什么补什么）' }).click()
  await page.locator('[data-test=gaps] .el-table__body tr').first().waitFor()
  await shot(page, '12-evaluation-gaps')
  await page.goto(`${BASE}/console/circles/${DEMO}/map`)
  await page.waitForSelector('[data-test=map-legend] div')
  await page.waitForSelector('[data-test=circle-map] canvas')
  await shot(page, '13-map-demo-circle')
  await page.context().close()
})

test('an out-of-scope circle cannot be reached: no access in the page and 403 from the API', async () => {
  const page = await newPage()
  await signIn(page, env.STAFF_USER, env.STAFF_PASSWORD)
  const options = await page.evaluate(async () => (await fetch('/api/v1/staff/circles')).json())
  assert.deepEqual(options.items.map((c) => c.id).sort(), [DEMO, RATED].sort())
  for (const path of ['needs', 'evaluation', 'map']) {
    await page.goto(`${BASE}/console/circles/${OTHER}/${path}`)
    await page.locator('[data-test=no-access]').getByText('无权访问').waitFor()
  }
  await shot(page, '14-no-access')
  const status = await page.evaluate(async (id) => (await fetch(`/api/v1/staff/demands?circle_id=${id}`)).status, OTHER)
  assert.equal(status, 403)
  // a write with the cookie but without the CSRF header is refused
  const forged = await page.evaluate(async () => {
    const r = await fetch('/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"circle_id": null}' })
    return [r.status, (await r.json()).error.code]
  })
  assert.deepEqual(forged, [403, 'csrf_failed'])
  await page.context().close()
})

test('the bureau creates a staff account, reads its city settings and a circle\'s survey results', async () => {
  const page = await newPage()
  await signIn(page, env.BUREAU_USER, env.BUREAU_PASSWORD)
  await page.goto(`${BASE}/console/accounts`)
  await page.locator('[data-test=accounts] .el-table__body tr').first().waitFor()
  await page.click('[data-test=new-account]')
  const dialog = page.locator('[data-test=account-dialog]')
  await field(dialog, 'account-username').fill(`e2e_${STAMP}_zhao`)
  await field(dialog, 'account-password').fill('short')
  await dialog.locator('[data-test=account-save]').click()
  await dialog.getByText('密码至少 8 位').waitFor()
  await field(dialog, 'account-password').fill('a-long-enough-password')
  await dialog.locator('.el-select').first().click()
  await page.locator('.el-select-dropdown__item:visible').first().click()
  await dialog.locator('.el-dialog__header').click()
  await dialog.locator('[data-test=account-save]').click()
  await toast(page, '账号已创建')
  await page.locator('[data-test=accounts]').getByText(`e2e_${STAMP}_zhao`).waitFor()
  await shot(page, '15-accounts')
  await page.goto(`${BASE}/console/city-settings`)
  await page.locator('[data-test=city-settings]').getByText('城市等级').waitFor()
  await shot(page, '16-city-settings')
  await page.goto(`${BASE}/console/circles/${RATED}/surveys`)
  await page.locator('[data-test=sample-validity]').waitFor()
  await shot(page, '17-surveys')
  // A paper answer: without scores the field's message shows; with them it counts in the results.
  const before = await page.locator('.stat').first().innerText()
  await page.click('[data-test=enter-paper]')
  const paper = page.locator('[data-test=paper-dialog]')
  await field(paper, 'paper-ref').fill(`e2e-${STAMP}`)
  await paper.locator('[data-test=paper-save]').click()
  await paper.locator('.el-form-item__error').first().waitFor()
  await shot(page, '17b-paper-missing-score')
  await paper.locator('[data-test=paper-type] .el-rate__item').nth(3).click()
  await paper.locator('[data-test=paper-service] .el-rate__item').nth(4).click()
  await paper.locator('[data-test=paper-save]').click()
  await toast(page, '问卷已录入')
  const count = (text) => Number(text.trim().split(/\s/)[0])
  await page.waitForFunction(
    (n) => Number(document.querySelector('.stat')?.textContent?.trim().split(/\s/)[0]) === n,
    count(before) + 1,
  )
  await shot(page, '17c-paper-entered')
  // A batch file: the good row is entered, the bad one reported by its line.
  const csv = `source,respondent_ref,answered_on,type_satisfaction,service_satisfaction,comment\npaper,e2e-${STAMP}-b1,,5,4,\npaper,e2e-${STAMP}-b2,,9,4,\n`
  await page.locator('[data-test=batch-file]').setInputFiles({ name: 'answers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.locator('[data-test=batch-report]', { hasText: '成功 1 份，失败 1 份' }).waitFor()
  await page.locator('[data-test=batch-report]', { hasText: '第 3 行：字段有误（业态满意' }).waitFor()
  await shot(page, '17d-paper-batch')
  await page.context().close()
})

test('an operator imports a census file: upload progress, then the per-row report, and the good rows are listed', async () => {
  const page = await newPage()
  await signIn(page, env.ADMIN_USER, env.BUREAU_PASSWORD)
  await page.goto(`${BASE}/console/circles/${DEMO}/outlets`)
  await page.locator('[data-test=outlets-table] .el-table__body tr').first().waitFor()
  const demo = await page.evaluate(async (id) => (await fetch(`/api/v1/circles/${id}?coord=gcj02`)).json(), DEMO)
  const ring = demo.boundary.coordinates[0][0]
  const [lng, lat] = ring.reduce(([x, y], [a, b]) => [x + a / ring.length, y + b / ring.length], [0, 0])
  const csv = [
    'external_id,name,types,lng,lat,coord,address',
    `e2e-${STAMP}-1,E2E${STAMP} 普查便利店,convenience_store,${lng + 0.001},${lat + 0.001},gcj02,普查路 1 号`,
    `e2e-${STAMP}-2,,convenience_store,${lng},${lat},gcj02,缺名称`,
    `e2e-${STAMP}-3,E2E${STAMP} 怪店,no_such_type,${lng},${lat},gcj02,未知业态`,
  ].join('\n')
  await page.click('[data-test=outlets-import]')
  const dialog = page.locator('[data-test=import-dialog]')
  await dialog.locator('[data-test=import-file]').setInputFiles({ name: 'census.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await dialog.locator('[data-test=import-start]').click()
  const report = dialog.locator('[data-test=import-report]')
  await report.waitFor()
  assert.match(await report.innerText(), /新增 1，更新 0，失败 2/)
  assert.match(await report.innerText(), /no_such_type/)
  await dialog.locator('.el-progress').waitFor()
  await shot(page, '18-census-import-report')
  await page.keyboard.press('Escape')
  await field(page, 'outlets-q').fill(`E2E${STAMP} 普查`)
  await page.keyboard.press('Enter')
  await page.locator('[data-test=outlets-table]').getByText(`E2E${STAMP} 普查便利店`).waitFor()
  await page.context().close()
})
