// 网点详情：GET /outlets/{id}（营业时间、服务、价目、出摊安排），GET /outlets/{id}/ratings；
// 评价：POST /outlets/{id}/ratings（每人每店一条，再次提交即替换）。
const api = require('../../utils/api')
const elder = require('../../utils/elder')
const { here, navigate } = require('../../utils/location')
const { weekRows, distance, price, shortTime } = require('../../utils/catalog')

const SERVICE_FLAGS = [
  ['delivery', '可外送'],
  ['accepts_cash', '收现金'],
  ['qr_payment', '扫码支付'],
  ['elderly_friendly', '适老服务'],
  ['open_24h', '24 小时'],
]

Component({
  data: {
    outlet: null,
    week: [],
    serviceTags: [],
    prices: [],
    schedule: [],
    ratings: [],
    tags: [],
    form: { stars: 0, text: '', tags: [] },
    stars: [1, 2, 3, 4, 5],
    myRating: null,
    submitting: false,
  },
  methods: {
    onShow() {
      this.setData(elder.pageData()) // 长辈模式: large type (class on the page root)
    },
    async onLoad(query) {
      this.outletId = Number(query.id)
      const point = await here().catch(() => null)
      const [outlet, tags] = await Promise.all([
        api.get(`/outlets/${this.outletId}`, point || {}),
        api.get('/rating-tags').catch(() => ({ items: [] })),
      ])
      wx.setNavigationBarTitle({ title: outlet.name })
      const services = outlet.services || {}
      this.setData({
        outlet: { ...outlet, distance_text: distance(outlet.distance_m) },
        week: weekRows(outlet.hours),
        serviceTags: SERVICE_FLAGS.filter(([key]) => services[key])
          .map(([, name]) => name)
          .concat(services.add_on || []),
        prices: (outlet.price_list || []).map((p) => ({ ...p, text: price(p) })),
        schedule: outlet.schedule || [],
        tags: tags.items.map((name) => ({ name, on: false })),
      })
      return this.loadRatings()
    },
    async loadRatings() {
      const page = await api.get(`/outlets/${this.outletId}/ratings`, { page_size: 10 })
      this.setData({ ratings: page.items.map((r) => ({ ...r, when: shortTime(r.created_at) })) })
    },
    pickStars(e) {
      this.setData({ 'form.stars': Number(e.currentTarget.dataset.stars) })
    },
    toggleTag(e) {
      const index = Number(e.currentTarget.dataset.index)
      this.setData({ [`tags[${index}].on`]: !this.data.tags[index].on })
    },
    onText(e) {
      this.setData({ 'form.text': e.detail.value })
    },
    async submitRating() {
      const { form, tags } = this.data
      if (!form.stars) return wx.showToast({ title: '请先选择星级', icon: 'none' })
      this.setData({ submitting: true })
      try {
        const body = { stars: form.stars, text: form.text, tags: tags.filter((t) => t.on).map((t) => t.name) }
        const mine = await api.post(`/outlets/${this.outletId}/ratings`, body)
        this.setData({ myRating: mine })
        wx.showToast({ title: mine.status === 'visible' ? '感谢您的评价' : '评价审核中', icon: 'success' })
        return this.loadRatings()
      } catch (error) {
        return null
      } finally {
        this.setData({ submitting: false })
      }
    },
    navigate() {
      const { outlet } = this.data
      navigate(outlet.location, outlet.name, outlet.address)
    },
    call() {
      wx.makePhoneCall({ phoneNumber: this.data.outlet.phone })
    },
    reportProblem() {
      const name = encodeURIComponent(this.data.outlet.name)
      wx.navigateTo({ url: `/pages/demands/new?kind=service_quality&outlet_id=${this.outletId}&outlet_name=${name}` })
    },
  },
})
