// Home, nearby list and map, outlet detail and rating: pages render what the real backend returns.
const h = require('./harness')
const { SIX_ONES } = require('../miniprogram/utils/catalog')

beforeAll(() => h.actAs('mp-browse'))

test('home says which circle and community the user is in (GET /circles/locate, GCJ-02)', async () => {
  const expected = await h.backend.get('/circles/locate', { lat: h.POINT.lat, lng: h.POINT.lng, coord: 'gcj02' })
  const page = await h.openPage('home/index')

  expect(h.text(page, '.circle-name')).toBe(expected.circle.name)
  expect(h.text(page, '.circle')).toContain(expected.community.name)
  const locate = h.requests(/GET .*\/api\/v1\/circles\/locate/).pop()
  expect(locate.url).toContain(`lat=${h.POINT.lat}`)
  expect(locate.url).toContain('coord=gcj02')
  expect(h.calls('getLocation').pop().type).toBe('gcj02')
})

test('home shows the six quick categories; one opens the nearby list filtered by its type codes', async () => {
  const page = await h.openPage('home/index')
  expect(h.texts(page, '.category-label')).toEqual(['一店', '一早', '一菜', '一修', '一老', '一小'])

  await h.tap(page, '.category', 2)
  expect(h.calls('navigateTo').pop().url).toBe(
    `/pages/nearby/index?types=wet_market,fresh_grocery&title=${encodeURIComponent('一菜 · 买菜')}`,
  )
  await h.tap(page, '.category', 3)
  expect(h.calls('switchTab').pop().url).toBe('/pages/repair/index')
})

test('the quick categories use the codes the server files under each 六个一', async () => {
  const types = await h.backend.get('/business-types')
  for (const category of SIX_ONES) {
    const serverCodes = types.items.filter((t) => t.six_ones === category.label).map((t) => t.code)
    expect(category.types.slice().sort()).toEqual(serverCodes.sort())
  }
})

test('nearby lists outlets by walking distance with markers on the map and navigation', async () => {
  const page = await h.openPage('nearby/index', {})
  const items = page.data.items
  expect(items.length).toBe(20)
  const distances = items.map((i) => i.distance_m)
  expect(distances).toEqual(distances.slice().sort((a, b) => a - b))
  // What is on screen is the backend's answer, in the backend's order.
  const direct = await h.backend.get('/outlets/nearby', { lat: h.POINT.lat, lng: h.POINT.lng, radius: 1000 })
  expect(h.texts(page, '.outlet .name')).toEqual(direct.items.map((i) => i.name))
  expect(h.texts(page, '.outlet .distance')[0]).toBe(
    `${direct.items[0].distance_m} 米 · 步行 ${direct.items[0].walk_minutes} 分钟`,
  )
  expect(h.texts(page, '.outlet .hours')[0]).toBe(direct.items[0].hours_text)
  // Markers carry the API's GCJ-02 points unchanged.
  expect(page.data.markers.map((m) => [m.id, m.latitude, m.longitude])).toEqual(
    items.map((i) => [i.id, i.location.lat, i.location.lng]),
  )

  await h.tap(page, '.navigate', 0)
  const opened = h.calls('openLocation').pop()
  expect([opened.latitude, opened.longitude, opened.name]).toEqual([
    items[0].location.lat,
    items[0].location.lng,
    items[0].name,
  ])

  await h.tap(page, '.outlet', 1)
  expect(h.calls('navigateTo').pop().url).toBe(`/pages/outlet/index?id=${items[1].id}`)

  page.instance.onReachBottom()
  await h.idle()
  expect(page.data.items.length).toBe(40)
  expect(page.data.items.slice(19, 21).map((i) => i.distance_m)).toEqual(
    page.data.items
      .slice(19, 21)
      .map((i) => i.distance_m)
      .sort((a, b) => a - b),
  )
})

test('nearby filters: category chip, open now, sort by rating, radius, keyword', async () => {
  const page = await h.openPage('nearby/index', { types: 'breakfast' })
  expect(page.data.items.length).toBeGreaterThan(0)
  expect(page.data.items.every((i) => i.types.includes('breakfast'))).toBe(true)

  await h.tap(page, '.chip', 1) // 一店
  expect(page.data.items.every((i) => i.types.includes('convenience_store'))).toBe(true)
  expect(h.requests(/nearby/).pop().url).toContain('types=convenience_store')

  await h.trigger(page, '.open-now', 'change', { value: true })
  expect(h.requests(/nearby/).pop().url).toContain('open_now=true')
  expect(page.data.items.every((i) => i.open_now)).toBe(true)

  await h.trigger(page, '.open-now', 'change', { value: false })
  await h.trigger(page, '.radius', 'change', { value: 3 })
  await h.trigger(page, '.sort', 'change', { value: 1 })
  const last = h.requests(/nearby/).pop().url
  expect(last).toContain('sort=rating')
  expect(last).toContain('radius=3000')
  expect(page.data.items.every((i) => i.distance_m <= 3000)).toBe(true)

  const name = page.data.items[0].name
  await h.tap(page, '.chip', 0) // 全部
  await h.trigger(page, '.keyword', 'confirm', { value: name })
  expect(page.data.items.map((i) => i.name)).toContain(name)
})

test('outlet detail shows hours for every day, services and the rating summary', async () => {
  const nearby = await h.backend.get('/outlets/nearby', {
    lat: h.POINT.lat,
    lng: h.POINT.lng,
    types: 'convenience_store',
  })
  const id = nearby.items[0].id
  const detail = await h.backend.get(`/outlets/${id}`)
  const page = await h.openPage('outlet/index', { id: String(id) })

  expect(h.text(page, '.outlet-name')).toBe(detail.name)
  expect(h.text(page, '.hours-text')).toBe(detail.hours_text)
  const week = h.texts(page, '.day-hours')
  expect(week).toHaveLength(7)
  const monday = detail.hours.mon || []
  expect(week[0]).toBe(monday.length ? monday.map((s) => `${s[0]}-${s[1]}`).join('，') : '休息')
  expect(h.text(page, '.address')).toContain(`步行 ${nearby.items[0].walk_minutes} 分钟`)
  if (detail.services.qr_payment) expect(h.texts(page, '.service')).toContain('扫码支付')
  expect(h.text(page, '.rating-summary')).toBe('暂无评价')
})

test('a resident rates an outlet from its page and the rating shows up', async () => {
  const nearby = await h.backend.get('/outlets/nearby', { lat: h.POINT.lat, lng: h.POINT.lng, types: 'breakfast' })
  const id = nearby.items[0].id
  const page = await h.openPage('outlet/index', { id: String(id) })
  expect(h.all(page, '.rating-tag').length).toBeGreaterThan(0)

  await h.tap(page, '.star', 3) // 4 stars
  await h.tap(page, '.rating-tag', 0)
  await h.input(page, '.rating-input', '早上六点就开门，豆浆很香')
  await h.tap(page, '.submit-rating')

  expect(page.data.myRating.stars).toBe(4)
  expect(h.texts(page, '.rating-text')).toContain('早上六点就开门，豆浆很香')
  const ratings = await h.backend.get(`/outlets/${id}/ratings`)
  expect(ratings.items[0]).toMatchObject({ stars: 4, text: '早上六点就开门，豆浆很香', tags: [page.data.tags[0].name] })
})
