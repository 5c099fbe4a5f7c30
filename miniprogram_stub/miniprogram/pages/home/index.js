// 首页：我在哪个生活圈（GET /circles/locate），“六个一”快捷分类 → 附近网点。
// 长辈模式（我的 → 长辈模式）只显示四个大按钮：附近便民、小修小补、我要反映、打电话给社区（社区电话来自定位结果）。
const api = require('../../utils/api')
const { here } = require('../../utils/location')
const { SIX_ONES } = require('../../utils/catalog')
const { callCommunity, callLabel } = require('../../utils/circle')
const elder = require('../../utils/elder')

Component({
  data: {
    loading: true,
    circle: null,
    community: null,
    outside: false,
    error: '',
    categories: SIX_ONES,
    elder: false,
    elderClass: '',
    callLabel: '打电话给社区',
  },
  methods: {
    onLoad() {
      return this.locate()
    },
    onShow() {
      this.setData(elder.pageData())
    },
    onPullDownRefresh() {
      return this.locate().then(() => wx.stopPullDownRefresh())
    },
    async locate() {
      this.setData({ loading: true, error: '', outside: false })
      try {
        const point = await here()
        const found = await api.get('/circles/locate', point, { quiet: true })
        this.setData({ circle: found.circle, community: found.community, callLabel: callLabel(found.community) })
      } catch (error) {
        if (error.code === 'outside_circles') this.setData({ outside: true, circle: null, community: null })
        else this.setData({ error: error.message || '定位失败' })
      } finally {
        this.setData({ loading: false })
      }
    },
    openCategory(e) {
      const category = SIX_ONES.find((c) => c.key === e.currentTarget.dataset.key)
      if (category.key === 'repair') return wx.switchTab({ url: '/pages/repair/index' })
      const title = encodeURIComponent(`${category.label} · ${category.name}`)
      return wx.navigateTo({ url: `/pages/nearby/index?types=${category.types.join(',')}&title=${title}` })
    },
    openNearby() {
      wx.navigateTo({ url: '/pages/nearby/index' })
    },
    openNewNeed() {
      wx.navigateTo({ url: '/pages/demands/new' })
    },
    openRepair() {
      wx.switchTab({ url: '/pages/repair/index' })
    },
    openCircle() {
      wx.navigateTo({ url: '/pages/circle/index' })
    },
    callCommunity() {
      return callCommunity(this.data.community)
    },
    openSurvey() {
      wx.navigateTo({ url: `/pages/survey/index?circle_id=${this.data.circle.id}` })
    },
  },
})
