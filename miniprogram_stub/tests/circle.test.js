// 我的生活圈: the circle the resident lives in or stands in, its stars and what it lacks, the needs list with
// "me too", projects and their progress, the satisfied list and events nearby, all from the public API.
const h = require('./harness')

const circleId = Number(process.env.MP_CIRCLE_ID)
const here = () => ({ lat: h.POINT.lat, lng: h.POINT.lng })
const OPEN_NEED = '小区里没有修鞋配钥匙的地方，希望设个便民维修点'
const SOLVED_NEED = '希望附近有早餐点，上班前能买到包子豆浆'

let openNeed
let solvedNeed
let project
let event

/** A resident's need, posted straight to the API (the page under test only reads it). */
async function postNeed(code, businessType, text) {
  const token = await h.backend.residentToken(code)
  const res = await h.backend.call('POST', '/demands', {
    token,
    body: {
      kind: 'missing_type',
      business_type: businessType,
      text,
      location: here(),
      coord: 'gcj02',
      existing_reason: 'other', // the demo town has both kinds nearby; the need asks for more
    },
  })
  expect(res.status).toBe(201)
  return { token, need: res.body }
}

beforeAll(async () => {
  const staff = await h.backend.staffToken()
  const patch = async (path, body) => {
    // PATCH straight over HTTP (only wx.request lacks it).
    const res = await h.backend.call('PATCH', path, { token: staff, body })
    expect([res.status, res.body.error]).toEqual([200, undefined])
    return res.body
  }
  openNeed = (await postNeed('mp-circle-li', 'repair', OPEN_NEED)).need
  await patch(`/staff/demands/${openNeed.id}`, { status: 'accepted' })

  const solved = await postNeed('mp-circle-zhao', 'breakfast', SOLVED_NEED)
  solvedNeed = solved.need
  await patch(`/staff/demands/${solvedNeed.id}`, { status: 'accepted' })
  await patch(`/staff/demands/${solvedNeed.id}`, { status: 'done', reply: '东门新开了一家早餐店' })
  const confirmed = await h.backend.call('POST', `/demands/${solvedNeed.id}/confirmation`, {
    token: solved.token,
    body: { answer: 'yes' },
  })
  expect(confirmed.status).toBe(200)

  const created = await h.backend.call('POST', '/staff/projects', {
    token: staff,
    body: {
      circle_id: circleId,
      title: '便民维修点建设',
      business_type: 'repair',
      status: 'in_progress',
      progress: 40,
      planned_start: '2026-11-01',
      planned_end: '2027-01-31',
      demand_ids: [openNeed.id],
    },
  })
  expect(created.status).toBe(201)
  project = created.body

  const year = new Date().getFullYear() + 1
  const posted = await h.backend.call('POST', '/staff/events', {
    token: staff,
    body: {
      title: '邻里节便民服务日',
      theme: 'neighbourhood',
      location: { lat: h.POINT.lat + 0.001, lng: h.POINT.lng },
      coord: 'gcj02',
      address: '社区广场',
      starts_on: `${year}-05-01`,
      ends_on: `${year}-05-02`,
      organiser: '社区居委会',
    },
  })
  expect(posted.status).toBe(201)
  event = posted.body
})

test('the circle I stand in: name, community, stars or why not rated, what it lacks', async () => {
  h.actAs('mp-circle-wang')
  const page = await h.openPage('circle/index')
  const located = await h.backend.get('/circles/locate', { ...here(), coord: 'gcj02' })
  const evaluation = await h.backend.get(`/circles/${circleId}/evaluation`)
  const gaps = await h.backend.get(`/circles/${circleId}/gap-summary`)

  expect(page.data.source).toBe('location')
  expect(h.text(page, '.source')).toBe('您所在的生活圈')
  expect(h.text(page, '.circle-name')).toBe(located.circle.name)
  expect(page.data.community.id).toBe(located.community.id)
  // Stars as the public evaluation gives them; a circle below the pass mark says why it has none.
  expect(h.text(page, '.stars')).toBe('★'.repeat(evaluation.stars) + '☆'.repeat(5 - evaluation.stars))
  if (evaluation.stars) expect(h.text(page, '.verdict')).toContain(evaluation.final_type_name)
  else expect(h.text(page, '.verdict')).toBe(evaluation.not_rated_reason)
  // Read out as a sentence, not "black star, black star, white star…".
  expect(page.data.rating.starsLabel).toBe(
    evaluation.stars ? `${evaluation.stars} 星，${evaluation.final_type_name}生活圈` : '尚未评星',
  )
  expect(h.text(page, '.presence')).toContain(`好不好 ${evaluation.service.score} 分`)

  // What it lacks: the public gap list, first lines by priority, in words.
  expect(gaps.items.length).toBeGreaterThan(0)
  const shown = gaps.items.slice(0, 5)
  expect(h.texts(page, '.gap-why')).toEqual(shown.map((g) => g.why))
  expect(h.texts(page, '.gap-title')[0]).toContain(shown[0].what_name)
  expect(h.texts(page, '.gap-title')[0]).toContain(`还缺 ${shown[0].missing} 处`)
})

test('the needs list: a neighbour says "me too" and the count goes up on the server', async () => {
  h.actAs('mp-circle-wang')
  const page = await h.openPage('circle/index')
  const index = page.data.needs.findIndex((d) => d.id === openNeed.id)
  expect(index).toBeGreaterThan(-1)
  expect(h.texts(page, '.need-text')[index]).toBe(OPEN_NEED)
  expect(h.texts(page, '.me-too')[index]).toBe('我也要（0）')
  // A full sentence for a screen reader, not only "我也要".
  expect(page.data.needs[index].meTooLabel).toBe('我也需要，支持这条需求，已有 0 人支持')

  await h.tap(page, '.me-too', index)
  expect(h.texts(page, '.me-too')[index]).toBe('已支持（1）')
  expect(page.data.needs[index].meTooLabel).toBe('您已支持这条需求，已有 1 人支持')
  const detail = await h.backend.get(`/demands/${openNeed.id}`)
  expect(detail.support_count).toBe(1)
  // Subscribe consent was asked in the tap, before the support was posted.
  expect(h.calls('requestSubscribeMessage').length).toBeGreaterThan(0)

  // Opened again, the page knows I supported it (the GET carries my token).
  const again = await h.openPage('circle/index')
  const row = again.data.needs.find((d) => d.id === openNeed.id)
  expect(row).toMatchObject({ supported_by_me: true, support_count: 1 })

  await h.tap(again, '.need-text', again.data.needs.indexOf(row))
  expect(h.calls('navigateTo').pop().url).toBe(`/pages/demands/detail?id=${openNeed.id}`)
})

test('projects with their progress, the satisfied list, events nearby', async () => {
  h.actAs('mp-circle-wang')
  const page = await h.openPage('circle/index')
  const p = page.data.projects.findIndex((x) => x.id === project.id)
  expect(p).toBeGreaterThan(-1)
  expect(h.texts(page, '.project-title')[p]).toBe('便民维修点建设')
  expect(h.texts(page, '.project-status')[p]).toMatch(/^建设中/)
  expect(page.data.projects[p].progress).toBe(40)
  expect(page.data.projects[p].progressLabel).toBe('进度百分之40')

  const s = page.data.satisfied.findIndex((x) => x.id === solvedNeed.id)
  expect(s).toBeGreaterThan(-1)
  expect(h.texts(page, '.satisfied-text')[s]).toBe(SOLVED_NEED)
  expect(h.texts(page, '.satisfied-reply')).toContain('社区答复：东门新开了一家早餐店')

  const e = page.data.events.findIndex((x) => x.id === event.id)
  expect(e).toBeGreaterThan(-1)
  expect(h.texts(page, '.event-title')[e]).toBe('邻里节便民服务日')
  // Asked where I stand, in GCJ-02.
  const asked = h.requests(/GET .*\/events\/nearby/).pop()
  expect(asked.url).toContain('coord=gcj02')
  expect(asked.url).toContain(`lat=${h.POINT.lat}`)
})

test('a resident whose home circle is confirmed sees it even when standing elsewhere', async () => {
  h.actAs('mp-circle-home')
  const token = await h.backend.residentToken('mp-circle-home')
  const me = await h.backend.get('/me', undefined, token)
  const staff = await h.backend.staffToken()
  const confirmed = await h.backend.call('PUT', `/staff/circles/${circleId}/residents/${me.id}/home`, {
    token: staff,
    body: {},
  })
  expect(confirmed.status).toBe(200)

  const home = { ...h.wxState.location }
  h.wxState.location = { latitude: 30.0, longitude: 110.0 } // far from every circle
  const realNow = Date.now.bind(Date)
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 60 * 1000) // past the pages' 30 s location cache
  try {
    const page = await h.openPage('circle/index')
    expect(page.data.outside).toBe(false)
    expect(page.data.source).toBe('home')
    expect(h.text(page, '.source')).toBe('您居住的生活圈')
    expect(page.data.circle.id).toBe(circleId)
    expect(page.data.needs.map((d) => d.id)).toContain(openNeed.id)
  } finally {
    jest.restoreAllMocks()
    h.wxState.location = home
  }
})

test('outside every circle and without a home circle the page says so', async () => {
  h.actAs('mp-circle-visitor')
  const home = { ...h.wxState.location }
  h.wxState.location = { latitude: 30.0, longitude: 110.0 }
  const realNow = Date.now.bind(Date)
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 120 * 1000)
  try {
    const page = await h.openPage('circle/index')
    expect(h.text(page, '.outside')).toBe('您当前不在任何一刻钟便民生活圈内。')
    expect(h.all(page, '.needs')).toHaveLength(0)
  } finally {
    jest.restoreAllMocks()
    h.wxState.location = home
  }
})
