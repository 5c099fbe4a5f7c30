// A need goes round: submitted through the page (photo, chosen location, subscribe consent,
// Idempotency-Key), "me too" by a neighbour, triaged in the staff corner, confirmed solved.
const { execFileSync } = require('child_process')
const path = require('path')
const h = require('./harness')

const appJson = require(path.join(h.ROOT, 'app.json'))

const TEXT = '小区附近没有托育机构，双职工家庭接送孩子很难'
let demandId

test('a resident submits a need with a photo and a chosen location', async () => {
  h.actAs('mp-needs-alice')
  const page = await h.openPage('demands/new', {})
  expect(h.calls('getLocation').pop().type).toBe('gcj02')

  const childcare = page.data.types.findIndex((t) => t.code === 'childcare')
  await h.trigger(page, '.business-type', 'change', { value: childcare })
  await h.input(page, '.need-text', TEXT)
  await h.tap(page, '.place')
  expect(page.data.place).toMatchObject({
    lat: h.wxState.chosen.latitude,
    lng: h.wxState.chosen.longitude,
    name: '小区南门',
  })
  await h.tap(page, '.add-photo')
  expect(page.data.photos).toHaveLength(1)
  expect(page.data.photos[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  await h.trigger(page, '.photo', 'longpress') // a long press takes the photo out again
  expect(page.data.photos).toHaveLength(0)
  await h.tap(page, '.add-photo')
  expect(page.data.photos).toHaveLength(1)
  const upload = h.calls('uploadFile').pop()
  expect(upload.formData).toEqual({ purpose: 'demand_photo' })
  expect(upload.header.Authorization).toMatch(/^Bearer /)

  await h.tap(page, '.submit')

  const demand = page.data.created
  demandId = demand.id
  expect(demand).toMatchObject({ kind: 'missing_type', business_type: 'childcare', text: TEXT, status: 'submitted' })
  expect(demand.photos.map((p) => p.id)).toEqual([page.data.photos[0].id])
  // GCJ-02 in, GCJ-02 out: the stored point comes back as the point the user chose.
  expect(demand.location.lat).toBeCloseTo(h.wxState.chosen.latitude, 6)
  expect(demand.location.lng).toBeCloseTo(h.wxState.chosen.longitude, 6)
  expect(demand.address).toBe('小区南门 测试路 1 号')

  // Consent was asked for before the need was posted, with the configured templates.
  const consent = h.wxState.log.findIndex((e) => e.api === 'requestSubscribeMessage')
  const post = h.wxState.log.findIndex((e) => e.api === 'request' && e.method === 'POST' && /\/demands$/.test(e.url))
  expect(consent).toBeGreaterThan(-1)
  expect(consent).toBeLessThan(post)
  expect(h.wxState.log[consent].tmplIds).toEqual(['tmpl-demand-status', 'tmpl-demand-confirm'])
  expect(h.wxState.log[post].header['Idempotency-Key']).toMatch(/^mp-/)
  expect(h.wxState.log[post].data.coord).toBe('gcj02')
  expect(h.calls('switchTab').pop().url).toBe('/pages/demands/index')
})

test('my needs lists it; its page shows the timeline', async () => {
  const list = await h.openPage('demands/index')
  const index = list.data.items.findIndex((d) => d.id === demandId)
  expect(h.texts(list, '.demand-text')[index]).toBe(TEXT)
  expect(h.texts(list, '.demand .status')[index]).toBe('已提交')
  await h.tap(list, '.demand', index)
  expect(h.calls('navigateTo').pop().url).toBe(`/pages/demands/detail?id=${demandId}`)

  const page = await h.openPage('demands/detail', { id: String(demandId) })
  expect(page.data.mine).toBe(true)
  expect(h.text(page, '.demand-text')).toBe(TEXT)
  expect(h.texts(page, '.step-name')).toEqual(['已提交'])
  expect(h.all(page, '.confirm')).toHaveLength(0)
})

test('a neighbour sees it as a similar need and says "me too"', async () => {
  h.actAs('mp-needs-bob')
  const page = await h.openPage('demands/new', { kind: 'missing_type', business_type: 'childcare' })
  expect(page.data.similar.map((d) => d.id)).toContain(demandId)
  const index = page.data.similar.findIndex((d) => d.id === demandId)
  expect(h.texts(page, '.similar-text')[index]).toBe(TEXT)

  await h.tap(page, '.me-too', index)
  expect(page.data.similar[index]).toMatchObject({ support_count: 1, supported_by_me: true })
  expect(h.texts(page, '.me-too')[index]).toBe('已支持（1）')

  // A second "me too" is refused by the server; its message is shown as it came.
  await page.instance.support({ currentTarget: { dataset: { id: demandId } } })
  await h.idle()
  const shown = h.calls('showToast').pop()
  expect(shown.title).toBe('您已经支持过该需求')
})

test('the need appears in the staff queue; staff accept it and mark it done with a reply', async () => {
  h.actAs('mp-needs-staff-phone')
  const page = await h.openPage('staff/index')
  expect(h.all(page, '.login')).toHaveLength(1)
  await h.input(page, '.username', process.env.MP_STAFF_USER)
  await h.input(page, '.password', process.env.MP_STAFF_PASSWORD)
  await h.tap(page, '.login-button')
  expect(h.text(page, '.staff-name')).toContain('负责 1 个生活圈')

  await h.tap(page, '.tab-demands')
  const index = page.data.demands.findIndex((d) => d.id === demandId)
  expect(index).toBeGreaterThan(-1)
  expect(h.texts(page, '.demand .demand-text')[index]).toBe(TEXT)
  expect(page.data.demands[index].support_count).toBe(1)

  await h.tap(page, `.to-accepted`, index)
  // What the staff member saw: needs PATCH, which wx.request sends as POST + X-HTTP-Method-Override.
  expect(h.calls('showToast').pop().title).toBe('已更新')
  expect(page.data.demands.find((d) => d.id === demandId).status).toBe('accepted')

  h.wxState.modalAnswers.push({ confirm: true, content: '已协调街道引入一家普惠托育点，下月开业' })
  const row = page.data.demands.findIndex((d) => d.id === demandId)
  const doneButton = page.data.demands
    .slice(0, row)
    .reduce((n, d) => n + d.next.filter((s) => s.status === 'done').length, 0)
  await h.tap(page, '.to-done', doneButton)
  expect(page.data.demands.find((d) => d.id === demandId)).toBeUndefined() // done leaves the open queue
  const staffToken = h.wxState.storage.has('staff_session') && JSON.parse(h.wxState.storage.get('staff_session')).token
  const detail = await h.backend.get(`/staff/demands/${demandId}`, undefined, staffToken)
  expect(detail).toMatchObject({ status: 'done', public_reply: '已协调街道引入一家普惠托育点，下月开业' })
})

test('the subscribe message the server sends opens a page of this mini-program', async () => {
  // The notification worker, once (it is a separate process in production: flask notifications work).
  const repo = path.resolve(h.ROOT, '../..')
  execFileSync(process.env.MP_PYTHON, ['-m', 'flask', 'notifications', 'work', '--burst'], { cwd: repo, stdio: 'pipe' })
  const sent = await h.stub.sent('stub-openid-mp-needs-alice')
  const done = sent.find((m) => m.template_id === 'tmpl-demand-confirm')
  expect(done).toBeDefined()
  expect(done.page).toBe(`pages/demands/detail?id=${demandId}`)
  expect(appJson.pages).toContain(done.page.split('?')[0])
  expect(sent.map((m) => m.template_id)).toContain('tmpl-demand-status') // accepted
})

test('the resident opens the need, sees the progress and answers "is it solved?"', async () => {
  h.actAs('mp-needs-alice')
  const list = await h.openPage('demands/index')
  expect(h.texts(list, '.demand .status')[list.data.items.findIndex((d) => d.id === demandId)]).toBe('待您确认')

  const page = await h.openPage('demands/detail', { id: String(demandId) })
  expect(page.data.demand.status_name).toBe('已完成')
  expect(h.text(page, '.reply')).toBe('社区答复：已协调街道引入一家普惠托育点，下月开业')
  expect(h.texts(page, '.step-name')).toEqual(expect.arrayContaining(['已提交', '已受理', '已完成']))

  expect(h.all(page, '.confirm')).toHaveLength(1)
  await h.tap(page, '.answer-yes')
  expect(page.data.demand.confirmation).toMatchObject({ answer: 'yes', can_answer: false })
  expect(page.data.demand.confirmed_solved).toBe(true)
  expect(h.text(page, '.confirmed')).toBe('您的反馈：已解决')
})

test('the neighbour who said "me too" was told too and answers "is it solved?" on the public page', async () => {
  h.actAs('mp-needs-bob')
  const sent = await h.stub.sent('stub-openid-mp-needs-bob')
  expect(sent.map((m) => m.template_id)).toContain('tmpl-demand-confirm')
  const page = await h.openPage('demands/detail', { id: String(demandId) })
  expect(page.data.mine).toBe(false)
  expect(h.text(page, '.demand-text')).toBe(TEXT)
  expect(page.data.demand.supported_by_me).toBe(true)
  expect(page.data.demand.my_confirmation).toMatchObject({ role: 'supporter', can_answer: true })
  expect(h.all(page, '.confirm')).toHaveLength(1)
  await h.tap(page, '.answer-yes')
  expect(page.data.demand.answers).toMatchObject({ yes: 2, no: 0 })
  expect(h.text(page, '.confirmed')).toBe('您的反馈：已解决')
  expect(h.text(page, '.tally')).toBe('2 人认为已解决，0 人认为未解决')
})

test('a third resident sees the public version without the buttons', async () => {
  h.actAs('mp-needs-carol')
  const page = await h.openPage('demands/detail', { id: String(demandId) })
  expect(page.data.demand.my_confirmation).toBeNull()
  expect(h.all(page, '.confirm')).toHaveLength(0)
})

test('filing "no vegetable market" shows the one nearby and asks why before submitting', async () => {
  h.actAs('mp-needs-dave')
  const page = await h.openPage('demands/new', { kind: 'missing_type', business_type: 'wet_market' })
  const [nearest] = page.data.existing.items
  expect(page.data.existing.reason_required).toBe(true)
  expect(nearest.distance_m).toBeLessThan(300)
  expect(h.texts(page, '.existing-name')[0]).toBe(nearest.name)
  expect(h.texts(page, '.existing-distance')[0]).toMatch(/米|公里/)
  await h.input(page, '.need-text', '附近没有菜市场')
  await h.tap(page, '.submit')
  expect(h.calls('showToast').pop().title).toBe('附近已有同类网点，请选择理由')
  expect(page.data.created).toBeUndefined()
  const expensive = page.data.existing.reasons.findIndex((r) => r.code === 'too_expensive')
  await h.trigger(page, '.existing-reason', 'change', { value: expensive })
  await h.tap(page, '.submit')
  expect(page.data.created).toMatchObject({ business_type: 'wet_market', existing_reason: 'too_expensive' })
})
