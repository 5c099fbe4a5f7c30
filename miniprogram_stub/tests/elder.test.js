// 长辈模式 (WeChat 适老化): a switch in 我的 remembered on the phone; large type through a class on each page's
// root; the home page down to four big actions; full-sentence labels; a phone button to the community.
const fs = require('fs')
const path = require('path')
const h = require('./harness')

const circleId = Number(process.env.MP_CIRCLE_ID)
const BIG_ACTIONS = ['附近便民', '小修小补', '我要反映', '打电话给社区']

let community

beforeAll(async () => {
  h.actAs('mp-elder-grandma')
  const located = await h.backend.get('/circles/locate', { lat: h.POINT.lat, lng: h.POINT.lng, coord: 'gcj02' })
  community = located.community
})

test('off by default: the usual home page and no elder class', async () => {
  const home = await h.openPage('home/index')
  expect(home.data.elder).toBe(false)
  expect(h.all(home, '.elder')).toHaveLength(0)
  expect(h.all(home, '.big-action')).toHaveLength(0)
  expect(h.all(home, '.category')).toHaveLength(6)
})

test('the switch in 我的 turns it on, is remembered, and puts the class on the page root', async () => {
  const mine = await h.openPage('mine/index')
  expect(h.all(mine, '.merchant')).toHaveLength(1)
  await h.trigger(mine, '.elder-switch', 'change', { value: true })
  expect(h.wxState.storage.get('elder_mode')).toBe('true')
  expect(h.calls('showToast').pop().title).toBe('已开启长辈模式')
  expect(h.all(mine, '.page.elder')).toHaveLength(1)
  // Fewer choices: the merchant and staff entries step aside.
  expect(h.all(mine, '.merchant')).toHaveLength(0)
  expect(h.all(mine, '.staff')).toHaveLength(0)

  // Another page opened later reads the remembered setting.
  const again = await h.openPage('mine/index')
  expect(again.data.elder).toBe(true)
  const circle = await h.openPage('circle/index')
  expect(h.all(circle, '.page.elder')).toHaveLength(1)
})

test('the home page shows four big actions, each with a full sentence to read out', async () => {
  const home = await h.openPage('home/index')
  expect(h.all(home, '.page.elder')).toHaveLength(1)
  expect(h.texts(home, '.big-action')).toEqual(BIG_ACTIONS)
  expect(h.all(home, '.category')).toHaveLength(0) // the 六个一 grid and the link list are gone
  expect(h.all(home, '.survey')).toHaveLength(0)

  await h.tap(home, '.big-action.nearby')
  expect(h.calls('navigateTo').pop().url).toBe('/pages/nearby/index')
  await h.tap(home, '.big-action.repair')
  expect(h.calls('switchTab').pop().url).toBe('/pages/repair/index')
  await h.tap(home, '.big-action.new-need')
  expect(h.calls('navigateTo').pop().url).toBe('/pages/demands/new')

  // The pages the big actions open are in large type too.
  for (const name of ['nearby/index', 'repair/index', 'demands/new']) {
    const page = await h.openPage(name)
    expect([name, h.all(page, '.page.elder').length]).toEqual([name, 1])
  }
})

test('the phone button calls the community the resident stands in, with the number from the API', async () => {
  expect(community.phone).toMatch(/^010-\d{8}$/) // the demo communities have one
  const home = await h.openPage('home/index')
  expect(home.data.callLabel).toBe(`打电话给${community.name}，号码 ${community.phone}`)
  await h.tap(home, '.big-action.call')
  expect(h.calls('makePhoneCall').pop().phoneNumber).toBe(community.phone)

  // Staff change the number; the next visit dials the new one.
  const staff = await h.backend.staffToken()
  const saved = await h.backend.call('PATCH', `/communities/${community.id}`, {
    token: staff,
    body: { phone: '010-69001234' },
  })
  expect(saved.status).toBe(200)
  const later = await h.openPage('home/index')
  await h.tap(later, '.big-action.call')
  expect(h.calls('makePhoneCall').pop().phoneNumber).toBe('010-69001234')

  // No number registered: no dialling, a plain sentence instead.
  await h.backend.call('PATCH', `/communities/${community.id}`, { token: staff, body: { phone: null } })
  const calls = h.calls('makePhoneCall').length
  const none = await h.openPage('home/index')
  expect(none.data.callLabel).toBe('打电话给社区（您所在社区的电话还没有登记）')
  await h.tap(none, '.big-action.call')
  expect(h.calls('makePhoneCall')).toHaveLength(calls)
  expect(h.calls('showModal').pop().content).toBe('您所在社区的电话还没有登记，请到社区居委会咨询')
  await h.backend.call('PATCH', `/communities/${community.id}`, { token: staff, body: { phone: community.phone } })
})

test('my circle has the phone button too', async () => {
  const page = await h.openPage('circle/index')
  expect(page.data.circle.id).toBe(circleId)
  expect(h.text(page, '.call-community')).toBe(`打电话给${community.name}`)
  await h.tap(page, '.call-community')
  expect(h.calls('makePhoneCall').pop().phoneNumber).toBe(community.phone)
})

test('switched off again, the home page is the usual one', async () => {
  const mine = await h.openPage('mine/index')
  await h.trigger(mine, '.elder-switch', 'change', { value: false })
  expect(h.wxState.storage.get('elder_mode')).toBe('false')
  const home = await h.openPage('home/index')
  expect(h.all(home, '.elder')).toHaveLength(0)
  expect(h.all(home, '.category')).toHaveLength(6)
})

test('no button is icon-only: each has words on it or a full-sentence aria-label', () => {
  // miniprogram-simulate drops aria-* attributes when it renders, so this reads the templates themselves.
  const pages = path.join(h.ROOT, 'pages')
  const offenders = []
  fs.readdirSync(pages).forEach((dir) =>
    fs
      .readdirSync(path.join(pages, dir))
      .filter((f) => f.endsWith('.wxml'))
      .forEach((file) => {
        const wxml = fs.readFileSync(path.join(pages, dir, file), 'utf8')
        for (const [, attrs, inner] of wxml.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)) {
          // Words: Chinese or Latin letters, or text from the page's data (names, statuses); not "＋", "›", "★".
          const hasWords = /[\u4e00-\u9fffA-Za-z]|\{\{/.test(inner.replace(/<[^>]+>/g, ''))
          if (!hasWords && !/aria-label="[^"]+"/.test(attrs)) offenders.push(`${dir}/${file}: ${inner.trim()}`)
        }
      }),
  )
  expect(offenders).toEqual([])
  // The big actions and the phone buttons carry their sentences.
  const home = fs.readFileSync(path.join(pages, 'home/index.wxml'), 'utf8')
  expect(home.match(/class="big-action[^"]*" aria-label="[^"]+"/g)).toHaveLength(4)
})
