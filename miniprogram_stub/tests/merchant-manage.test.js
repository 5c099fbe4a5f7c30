// A listed shop claimed by its owner (认领: licence number and photo, WeChat phone), approved by staff, then managed
// from the mini-program: per-day hours, photos, service prices, a stall's schedule; ratings, credit and replies.
const h = require('./harness')

const PHONE_CODE = 'phone-13700001111'
let shop // a listed shop ~60 m from where the merchant picks the place on the map
let stall // a mobile stall its owner applied for and staff approved (the demo places have none)

const gcj = (point) => ({ lat: point.latitude, lng: point.longitude, coord: 'gcj02' })

beforeAll(async () => {
  const near = await h.backend.get('/outlets/nearby', { ...gcj(h.wxState.chosen), radius: 150, page_size: 50 })
  shop = near.items.find((o) => !o.types.includes('repair') && !o.chain)
  expect(shop).toBeDefined()

  const owner = await h.backend.residentToken('mp-stall-qian')
  const here = { lat: h.POINT.lat, lng: h.POINT.lng }
  const applied = await h.backend.call('POST', '/merchant/applications', {
    token: owner,
    body: {
      name: '钱师傅流动修鞋摊',
      types: ['repair'],
      location: here,
      coord: 'gcj02',
      address: '菜市场东口',
      certification: { licence_exempt: true, exempt_note: '免办营业执照的流动摊点' },
      repair_services: [{ code: 'shoe_repair', price_min: 5 }],
      mobile: true,
      schedule: [{ location: here, address: '菜市场东口', hours: { sat: [['08:00', '12:00']] } }],
    },
  })
  expect([applied.status, applied.body.error]).toEqual([201, undefined])
  const staff = await h.backend.staffToken()
  const approved = await h.backend.call('POST', `/staff/applications/${applied.body.id}/approve`, {
    token: staff,
    body: {},
  })
  expect(approved.status).toBe(200)
  stall = { id: approved.body.outlet_id }
})

async function staffApprove(outletId) {
  const token = await h.backend.staffToken()
  const queue = await h.backend.get('/staff/claims', { outlet_id: outletId }, token)
  const [claim] = queue.items
  expect(claim.phone_matches_listing).toBeDefined()
  const approved = await h.backend.call('POST', `/staff/claims/${claim.id}/approve`, { token, body: {} })
  expect([approved.status, approved.body.status]).toEqual([200, 'approved'])
  return claim
}

async function fillClaim(page) {
  await h.input(page, '.licence-no', '91110228mA01abcd2x')
  await h.tap(page, '.licence')
  expect(h.calls('uploadFile').pop().formData).toEqual({ purpose: 'certification' })
  await h.input(page, '.contact-name', '吴老板')
}

test('applying for a shop that is already listed points to claiming it', async () => {
  h.actAs('mp-claim-wu')
  const page = await h.openPage('merchant/index')
  await h.input(page, '.name-input', shop.name)
  await h.trigger(page, '.type', 'change', { value: page.data.types.findIndex((t) => t.code === shop.types[0]) })
  await h.tap(page, '.place')
  await h.tap(page, '.licence')
  await h.tap(page, '.submit')

  expect(page.data.listed.map((o) => o.id)).toContain(shop.id)
  const index = page.data.listed.findIndex((o) => o.id === shop.id)
  expect(h.texts(page, '.listed-name')[index]).toBe(shop.name)
  await h.tap(page, '.claim-listed', index)
  expect(h.calls('navigateTo').pop().url).toBe(`/pages/merchant/claim?outlet_id=${shop.id}`)
  expect(page.data.applications).toHaveLength(0) // nothing was filed

  const claim = await h.openPage('merchant/claim', { outlet_id: String(shop.id) })
  expect(h.text(claim, '.picked-name')).toBe(shop.name)
})

test('the owner finds the shop by name and claims it with licence and WeChat phone', async () => {
  h.actAs('mp-claim-wu')
  const page = await h.openPage('merchant/claim')
  expect(h.all(page, '.claim')).toHaveLength(0)
  await h.input(page, '.search-input', shop.name)
  await h.tap(page, '.search')
  const searched = h.requests(/GET .*\/outlets\/nearby/).pop()
  expect(searched.url).toContain('coord=gcj02')
  const index = page.data.results.findIndex((o) => o.id === shop.id)
  expect(index).toBeGreaterThan(-1)
  await h.tap(page, '.result', index)
  expect(h.text(page, '.picked-name')).toBe(shop.name)

  await fillClaim(page)
  await h.tap(page, '.submit')
  expect(h.calls('showToast').pop().title).toBe('请用微信手机号核验')
  expect(h.requests(/POST .*\/merchant\/claims$/)).toHaveLength(0)

  await h.trigger(page, '.phone', 'getphonenumber', { code: PHONE_CODE, errMsg: 'getPhoneNumber:ok' })
  await h.tap(page, '.submit')
  const posted = h.requests(/POST .*\/merchant\/claims$/).pop()
  expect(posted.header['Idempotency-Key']).toMatch(/^mp-/)
  expect(posted.data).toMatchObject({
    outlet_id: shop.id,
    licence_no: '91110228mA01abcd2x',
    contact_name: '吴老板',
    phone_code: PHONE_CODE,
  })
  expect(posted.data.licence_photo_id).toMatch(/^[0-9a-f-]{36}$/)
  expect(h.texts(page, '.claim-outlet')).toEqual([shop.name])
  expect(h.text(page, '.claim-status')).toBe('待审核')
  expect(h.text(page, '.claim')).toContain('手机 137****1111') // masked
  expect(h.all(page, '.withdraw')).toHaveLength(1)
})

test('staff approve the claim; the page shows it and leads to managing the shop', async () => {
  await staffApprove(shop.id)
  h.actAs('mp-claim-wu')
  const page = await h.openPage('merchant/claim')
  expect(h.text(page, '.claim-status')).toBe('已通过')
  expect(h.all(page, '.withdraw')).toHaveLength(0)
  await h.tap(page, '.manage')
  expect(h.calls('navigateTo').pop().url).toBe(`/pages/merchant/shop?id=${shop.id}`)
})

test('the owner sets different hours per day, photos and prices; residents see them at once', async () => {
  h.actAs('mp-claim-wu')
  const page = await h.openPage('merchant/shop') // one shop: opened directly
  expect(page.data.outlet.id).toBe(shop.id)
  expect(h.text(page, '.shop-name')).toBe(shop.name)
  expect(h.texts(page, '.day-name')).toEqual(['周一', '周二', '周三', '周四', '周五', '周六', '周日'])

  await h.trigger(page, '.day-open', 'change', { value: true }, 0)
  await h.trigger(page, '.day-open', 'change', { value: true }, 5)
  await h.trigger(page, '.day-open', 'change', { value: false }, 6) // 周日休息
  const opens = (day) => page.data.hours.slice(0, day).filter((d) => d.open).length // picker index of a day
  await h.trigger(page, '.opens', 'change', { value: '07:00' }, opens(0))
  await h.trigger(page, '.closes', 'change', { value: '21:30' }, opens(0))
  await h.trigger(page, '.closes', 'change', { value: '12:00' }, opens(5))

  await h.tap(page, '.add-photo')
  expect(h.calls('uploadFile').pop().formData).toEqual({ purpose: 'outlet_photo' })
  const photos = page.data.photos.length
  const items = page.data.prices.map((p) => p.code)
  const onBefore = page.data.prices.filter((p) => p.on).map((p) => p.code)
  if (!onBefore.includes('key_cutting')) await h.tap(page, '.price-toggle', items.indexOf('key_cutting'))
  const on = page.data.prices.filter((p) => p.on).map((p) => p.code)
  await h.trigger(page, '.price-input', 'input', { value: '12' }, on.indexOf('key_cutting'))

  await h.tap(page, '.save')
  const patch = h.requests(/POST .*\/merchant\/outlets\/\d+$/).pop()
  expect(patch.header['X-HTTP-Method-Override']).toBe('PATCH')
  expect(h.calls('showToast').pop().title).toBe('已保存')

  const detail = await h.backend.get(`/outlets/${shop.id}`, { coord: 'gcj02' })
  expect(detail.hours.mon).toEqual([['07:00', '21:30']])
  expect(detail.hours.sat[0]).toEqual([page.data.hours[5].opens, '12:00'])
  expect(detail.hours.sun).toBeUndefined()
  expect(detail.photo_urls).toHaveLength(photos)
  const key = detail.price_list.find((p) => p.code === 'key_cutting')
  expect(key.price_min).toBe(12)

  // A long press takes a photo out again.
  await h.trigger(page, '.photo', 'longpress', {}, page.data.photos.length - 1)
  await h.tap(page, '.save')
  expect((await h.backend.get(`/outlets/${shop.id}`)).photo_urls).toHaveLength(photos - 1)
})

test("a stall's owner adds a stop to the schedule, placed on the map in GCJ-02", async () => {
  h.actAs('mp-stall-qian')
  const page = await h.openPage('merchant/shop', { id: String(stall.id) })
  expect(page.data.outlet.mobile).toBe(true)
  const before = page.data.schedule.length
  expect(h.all(page, '.slot')).toHaveLength(before)
  await h.trigger(page, '.slot-day', 'change', { value: 6 }) // 周日
  await h.trigger(page, '.slot-opens', 'change', { value: '15:00' })
  await h.trigger(page, '.slot-closes', 'change', { value: '18:00' })
  await h.tap(page, '.add-slot')
  expect(h.calls('showToast').pop().title).toBe('请先选择出摊地点')
  await h.tap(page, '.slot-place')
  await h.tap(page, '.add-slot')
  expect(h.texts(page, '.slot-text').pop()).toBe('周日 15:00-18:00')
  await h.tap(page, '.save')
  expect(h.calls('showToast').pop().title).toBe('已保存')

  const detail = await h.backend.get(`/outlets/${stall.id}`, { coord: 'gcj02' })
  expect(detail.schedule).toHaveLength(before + 1)
  const added = detail.schedule.find((s) => s.hours.sun && s.hours.sun[0][0] === '15:00')
  expect(added.location.lat).toBeCloseTo(h.wxState.chosen.latitude, 5)
  expect(added.location.lng).toBeCloseTo(h.wxState.chosen.longitude, 5)

  // Taking the new stop out again.
  const again = await h.openPage('merchant/shop', { id: String(stall.id) })
  await h.tap(again, '.remove-slot', again.data.schedule.length - 1)
  await h.tap(again, '.save')
  expect((await h.backend.get(`/outlets/${stall.id}`)).schedule).toHaveLength(before)
})

test('the owner reads the ratings and credit level, and replies (and edits the reply)', async () => {
  for (const [code, stars, text] of [
    ['mp-claim-rater-1', 5, '老板很热情，东西新鲜'],
    ['mp-claim-rater-2', 2, '晚上经常提前关门'],
  ]) {
    const token = await h.backend.residentToken(code)
    const res = await h.backend.call('POST', `/outlets/${shop.id}/ratings`, { token, body: { stars, text } })
    expect(res.status).toBe(201)
  }
  h.actAs('mp-claim-wu')
  const shopPage = await h.openPage('merchant/shop', { id: String(shop.id) })
  await h.tap(shopPage, '.ratings')
  expect(h.calls('navigateTo').pop().url).toBe(`/pages/merchant/ratings?id=${shop.id}`)

  const page = await h.openPage('merchant/ratings', { id: String(shop.id) })
  const answer = await h.backend.get(
    `/merchant/outlets/${shop.id}/ratings`,
    undefined,
    await h.backend.residentToken('mp-claim-wu'),
  )
  expect(page.data.credit.level).toBe(answer.credit.level)
  expect(h.text(page, '.credit-level')).toBe(`${answer.credit.level} · ${answer.credit.level_name}`)
  expect(h.text(page, '.rating-summary')).toBe(`平均 ${answer.rating.avg} 分，共 ${answer.rating.count} 条评价`)
  expect(h.text(page, '.unreplied')).toBe(`${answer.unreplied} 条待回复`)
  const texts = h.texts(page, '.rating-text')
  expect(texts).toEqual(expect.arrayContaining(['老板很热情，东西新鲜', '晚上经常提前关门']))

  const index = texts.indexOf('晚上经常提前关门')
  await h.tap(page, '.send-reply', index)
  expect(h.calls('showToast').pop().title).toBe('请写下回复内容')
  await h.trigger(page, '.reply-input', 'input', { value: '冬季 20:00 打烊，已在店门口公示' }, index)
  await h.tap(page, '.send-reply', index)
  expect(h.calls('showToast').pop().title).toBe('已回复')
  expect(page.data.unreplied).toBe(answer.unreplied - 1)
  expect(h.texts(page, '.reply-text')).toContain('我的回复：冬季 20:00 打烊，已在店门口公示')
  expect(h.requests(/POST .*\/merchant\/ratings\/\d+\/reply$/)).not.toHaveLength(0)

  await h.trigger(page, '.reply-input', 'input', { value: '冬季 20:30 打烊，已在店门口公示' }, index)
  await h.tap(page, '.send-reply', index)
  expect(h.calls('showToast').pop().title).toBe('回复已修改')

  // Residents see the reply under the rating on the shop's page.
  const publicRatings = await h.backend.get(`/outlets/${shop.id}/ratings`)
  const replied = publicRatings.items.find((r) => r.text === '晚上经常提前关门')
  expect(replied.reply.text).toBe('冬季 20:30 打烊，已在店门口公示')

  // Only the unreplied ones.
  await h.trigger(page, '.only-unreplied', 'change', { value: true })
  expect(h.requests(/ratings\?/).pop().url).toContain('replied=0')
  expect(h.texts(page, '.rating-text')).not.toContain('晚上经常提前关门')

  // A reply taken back: asked first, then gone from the page and from residents' view; the rating waits again.
  await h.trigger(page, '.only-unreplied', 'change', { value: false })
  const waiting = page.data.unreplied
  await h.tap(page, '.withdraw-reply', 0)
  expect(h.calls('showModal').pop().title).toBe('撤回回复')
  expect(h.calls('showToast').pop().title).toBe('回复已撤回')
  expect(page.data.unreplied).toBe(waiting + 1)
  expect(h.texts(page, '.reply-text')).not.toContain('我的回复：冬季 20:30 打烊，已在店门口公示')
  const afterWithdrawal = await h.backend.get(`/outlets/${shop.id}/ratings`)
  expect(afterWithdrawal.items.find((r) => r.text === '晚上经常提前关门').reply).toBeNull()
  await h.trigger(page, '.only-unreplied', 'change', { value: true })
  expect(h.texts(page, '.rating-text')).toContain('晚上经常提前关门')
})

afterAll(async () => {
  // Leave the circle's repair map as the other test files expect it: the stall gone for the winter, the shop's
  // repair price taken off again.
  const stallOwner = await h.backend.residentToken('mp-stall-qian')
  const closed = await h.backend.call('POST', `/merchant/outlets/${stall.id}/status`, {
    token: stallOwner,
    body: { status: 'closed', reason: '冬季收摊' },
  })
  expect(closed.status).toBe(200)
  const shopOwner = await h.backend.residentToken('mp-claim-wu')
  const cleared = await h.backend.call('PATCH', `/merchant/outlets/${shop.id}`, {
    token: shopOwner,
    body: { repair_services: [] },
  })
  expect(cleared.status).toBe(200)
})
