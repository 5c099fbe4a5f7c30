// Satisfaction survey: nothing to answer until the bureau opens a period; then one answer per resident.
const h = require('./harness')

const circleId = Number(process.env.MP_CIRCLE_ID)

beforeAll(() => h.actAs('mp-survey-wang'))

test('without an open survey period the page says so', async () => {
  const page = await h.openPage('survey/index', { circle_id: String(circleId) })
  expect(h.text(page, '.no-period')).toBe('当前没有进行中的满意度调查')
  expect(h.all(page, '.form')).toHaveLength(0)
})

test('a resident answers the open survey of the circle they stand in', async () => {
  const token = await h.backend.bureauToken()
  const opened = await h.backend.call('POST', `/staff/circles/${circleId}/survey-periods`, { token, body: {} })
  expect(opened.status).toBe(201)

  const page = await h.openPage('survey/index', {}) // no circle given: located by wx.getLocation
  const circle = await h.backend.get(`/circles/${circleId}`)
  expect(h.text(page, '.circle-name')).toBe(circle.name)
  expect(h.text(page, '.period')).toContain(opened.body.title)

  await h.tap(page, '.submit') // nothing chosen yet
  expect(h.calls('showToast').pop().title).toBe('请为两项都打分')

  await h.tap(page, '.type-score', 3)
  await h.tap(page, '.service-score', 4)
  await h.input(page, '.comment', '希望多一些早餐点')
  await h.tap(page, '.submit')

  expect(h.text(page, '.done')).toBe('您已参与本期评价，感谢！')
  const posted = h.requests(/POST .*survey-responses$/).pop()
  // The answer carries where the resident stands (GCJ-02, as wx.getLocation gives it): the server checks
  // that this is their circle.
  expect(posted.data).toEqual({
    type_satisfaction: 4,
    service_satisfaction: 5,
    comment: '希望多一些早餐点',
    location: { lat: h.wxState.location.latitude, lng: h.wxState.location.longitude },
    coord: 'gcj02',
  })
  const results = await h.backend.get(`/staff/circles/${circleId}/survey-results`, undefined, token)
  expect(results.responses).toBe(1)
  expect(results.type_satisfaction.mean).toBe(4)
})

test('a resident standing far from the circle is told why the answer does not count there', async () => {
  h.actAs('mp-survey-visitor')
  const home = { ...h.wxState.location }
  h.wxState.location = { latitude: home.latitude, longitude: home.longitude + 0.05 } // ~4 km east
  const realNow = Date.now.bind(Date)
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 60 * 1000) // past the pages' 30 s location cache
  try {
    const page = await h.openPage('survey/index', { circle_id: String(circleId) })
    await h.tap(page, '.type-score', 4)
    await h.tap(page, '.service-score', 4)
    await h.tap(page, '.submit')
    expect(page.data.answered).toBe(false)
    expect(h.text(page, '.refused')).toBe('您当前不在本生活圈附近，只能参加居住的生活圈的调查')
  } finally {
    jest.restoreAllMocks()
    h.wxState.location = home
    h.actAs('mp-survey-wang')
  }
})

test('coming back later shows the survey as answered', async () => {
  const page = await h.openPage('survey/index', { circle_id: String(circleId) })
  expect(page.data.answered).toBe(true)
  expect(h.all(page, '.form')).toHaveLength(0)
})
