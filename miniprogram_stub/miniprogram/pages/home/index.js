// 首页：我在哪个生活圈（GET /circles/locate），“六个一”快捷分类 → 附近网点。
// 长辈模式（我的 → 长辈模式）只显示四个大按钮：附近便民、小修小补、我要反映、打电话给社区（社区电话来自定位结果）。
const api = require('../../utils/api')
const { here } = require('../../utils/location')
const { SIX_ONES } = require('../../utils/catalog')
const { callCommunity, callLabel } = require('../../utils/circle')
const { loadedBy } = require('../../utils/page')

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
    ...loadedBy('locate', '定位失败'),
    async locate() {
      const point = await here()
      const found = await api.get('/circles/locate', point, { quiet: true }).catch((error) => {
        if (error.code === 'outside_circles') return null
        throw error
      })
      if (!found) return this.setData({ outside: true, circle: null, community: null })
      return this.setData({ circle: found.circle, community: found.community, callLabel: callLabel(found.community) })
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
