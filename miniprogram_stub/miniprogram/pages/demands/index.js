// 我的需求：GET /me/demands（状态、审核、支持数、待确认），点开看时间线和“问题解决了吗？”。
const api = require('../../utils/api')
const { shortTime } = require('../../utils/catalog')

Component({
  data: { items: [], loading: true },
  methods: {
    onShow() {
      return this.refresh()
    },
    onPullDownRefresh() {
      return this.refresh().then(() => wx.stopPullDownRefresh())
    },
    async refresh() {
      this.setData({ loading: true })
      try {
        const page = await api.get('/me/demands', { page_size: 20 }, { auth: true })
        this.setData({ items: page.items.map((d) => ({ ...d, when: shortTime(d.created_at) })) })
      } catch (error) {
        // shown by the api module
      } finally {
        this.setData({ loading: false })
      }
    },
    open(e) {
      wx.navigateTo({ url: `/pages/demands/detail?id=${e.currentTarget.dataset.id}` })
    },
    newNeed() {
      wx.navigateTo({ url: '/pages/demands/new' })
    },
  },
})
