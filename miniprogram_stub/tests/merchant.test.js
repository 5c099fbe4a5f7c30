// Merchant application (licence upload, WeChat phone number, repair prices) → staff review queue →
// status on the merchant page → the published repair point on the repair map with its prices.
const h = require('./harness')

const SHOP = '老刘修鞋配钥匙'

async function fillApplication(page, { name, type }) {
  await h.input(page, '.name-input', name)
  await h.trigger(page, '.type', 'change', { value: page.data.types.findIndex((t) => t.code === type) })
  await h.tap(page, '.place')
  expect(page.data.form.address).toBe(h.wxState.chosen.address)
  await h.tap(page, '.licence')
  expect(h.calls('uploadFile').pop().formData).toEqual({ purpose: 'certification' })
  expect(page.data.licence.id).toMatch(/^[0-9a-f-]{36}$/) // a random UUID, not a sequence number
}

test('a resident applies to list a repair point with prices', async () => {
  h.actAs('mp-merchant-liu')
  const page = await h.openPage('merchant/index')
  expect(h.all(page, '.application')).toHaveLength(0)

  await fillApplication(page, { name: SHOP, type: 'repair' })
  await h.trigger(page, '.phone', 'getphonenumber', { code: 'phone-13912345678', errMsg: 'getPhoneNumber:ok' })
  await h.trigger(page, '.opens', 'change', { value: '07:30' })
  await h.trigger(page, '.closes', 'change', { value: '19:00' })
  const items = page.data.repairItems.map((i) => i.code)
  await h.tap(page, '.repair-item .tag', items.indexOf('shoe_repair'))
  await h.tap(page, '.repair-item .tag', items.indexOf('key_cutting'))
  // One price input per chosen service, in catalogue order.
  const chosen = page.data.repairItems.filter((i) => i.on).map((i) => i.code)
  await h.trigger(page, '.price-input', 'input', { value: '5' }, chosen.indexOf('shoe_repair'))
  await h.trigger(page, '.price-input', 'input', { value: '15' }, chosen.indexOf('key_cutting'))

  await h.tap(page, '.submit')

  const posted = h.requests(/POST .*\/merchant\/applications$/).pop()
  expect(posted.header['Idempotency-Key']).toMatch(/^mp-/)
  expect(posted.data).toMatchObject({
    name: SHOP,
    types: ['repair'],
    coord: 'gcj02',
    location: { lat: h.wxState.chosen.latitude, lng: h.wxState.chosen.longitude },
    phone_code: 'phone-13912345678',
  })
  expect(posted.data.hours.sun).toEqual([['07:30', '19:00']])
  expect(h.texts(page, '.application .name')).toEqual([SHOP])
  expect(h.text(page, '.application .status')).toBe('待审核')
})

test('a second application is refused with a reason the applicant can read', async () => {
  const page = await h.openPage('merchant/index')
  await fillApplication(page, { name: '刘记早点', type: 'breakfast' })
  await h.tap(page, '.submit')
  expect(h.texts(page, '.application .name')).toContain('刘记早点')

  h.actAs('mp-merchant-staff-phone')
  const staff = await h.openPage('staff/index')
  await h.input(staff, '.username', process.env.MP_STAFF_USER)
  await h.input(staff, '.password', process.env.MP_STAFF_PASSWORD)
  await h.tap(staff, '.login-button')
  const names = staff.data.applications.map((a) => a.name)
  expect(names).toEqual(expect.arrayContaining([SHOP, '刘记早点']))

  h.wxState.modalAnswers.push({ confirm: true, content: '同一地址已登记早餐店，请勿重复申请' })
  await h.tap(staff, '.reject', names.indexOf('刘记早点'))
  expect(staff.data.applications.map((a) => a.name)).not.toContain('刘记早点')

  h.actAs('mp-merchant-liu')
  const mine = await h.openPage('merchant/index')
  const index = mine.data.applications.findIndex((a) => a.name === '刘记早点')
  expect(h.texts(mine, '.application .status')[index]).toBe('已驳回')
  expect(h.text(mine, '.reason')).toBe('理由：同一地址已登记早餐店，请勿重复申请')
})

test('staff approve the repair point; it is published with its prices on the repair map', async () => {
  h.actAs('mp-merchant-staff-phone')
  const staff = await h.openPage('staff/index')
  expect(staff.data.user).not.toBeNull() // still logged in on this phone
  const index = staff.data.applications.findIndex((a) => a.name === SHOP)
  await h.tap(staff, '.approve', index)
  expect(h.calls('showToast').pop().title).toBe('已通过，网点已发布')

  h.actAs('mp-merchant-liu')
  const mine = await h.openPage('merchant/index')
  expect(h.texts(mine, '.application .status')[mine.data.applications.findIndex((a) => a.name === SHOP)]).toBe('已通过')

  const repair = await h.openPage('repair/index')
  expect(repair.data.coverage.kinds_offered).toBe(2)
  await h.tap(
    repair,
    '.service',
    repair.data.services.findIndex((s) => s.code === 'shoe_repair'),
  )
  expect(h.requests(/repair\/nearby/).pop().url).toContain('services=shoe_repair')
  expect(h.texts(repair, '.repair .name')).toEqual([SHOP])
  expect(h.texts(repair, '.price-line')).toEqual(['配钥匙 15 元/次', '修鞋 5 元/次'])

  await h.tap(repair, '.repair', 0)
  const url = h.calls('navigateTo').pop().url
  const outlet = await h.openPage('outlet/index', { id: url.split('id=')[1] })
  expect(h.texts(outlet, '.price-text')).toEqual(['15 元/次', '5 元/次'])
  expect(h.texts(outlet, '.day-hours')).toEqual(Array(7).fill('07:30-19:00'))
  expect(outlet.data.outlet.phone).toBe('13912345678')
})

test('the "present now" switch asks the server for stalls out right now', async () => {
  const repair = await h.openPage('repair/index')
  await h.trigger(repair, '.present-now', 'change', { value: true })
  expect(h.requests(/repair\/nearby/).pop().url).toContain('present_now=true')
  expect(repair.data.items.every((i) => !i.mobile || i.present_now)).toBe(true)
})
