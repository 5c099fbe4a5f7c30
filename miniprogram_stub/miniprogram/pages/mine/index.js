// 我的：GET /me；入口：我的生活圈、我的需求、满意度评价、商户、工作人员入口；长辈模式开关（记在本机）。
const api = require('../../utils/api')
const elder = require('../../utils/elder')

Component({
  data: { user: null, staff: null, elder: false, elderClass: '' },
  methods: {
    async onShow() {
      const staff = api.session('staff')
      this.setData({ staff: staff ? staff.user : null, ...elder.pageData() })
      const user = await api.get('/me', undefined, { auth: true }).catch(() => null)
      this.setData({ user })
    },
    toggleElder(e) {
      const on = Boolean(e.detail.value)
      elder.set(on)
      this.setData(elder.pageData())
      wx.showToast({ title: on ? '已开启长辈模式' : '已关闭长辈模式', icon: 'none' })
    },
    open(e) {
      const url = e.currentTarget.dataset.url
      if (url === '/pages/demands/index') return wx.switchTab({ url })
      return wx.navigateTo({ url })
    },
  },
})
