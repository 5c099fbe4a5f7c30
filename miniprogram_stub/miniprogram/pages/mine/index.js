// 我的：GET /me；入口：我的需求、满意度评价、商户入驻、工作人员入口。
const api = require('../../utils/api')

Component({
  data: { user: null, staff: null },
  methods: {
    async onShow() {
      const staff = api.session('staff')
      this.setData({ staff: staff ? staff.user : null })
      const user = await api.get('/me', undefined, { auth: true }).catch(() => null)
      this.setData({ user })
    },
    open(e) {
      const url = e.currentTarget.dataset.url
      if (url === '/pages/demands/index') return wx.switchTab({ url })
      return wx.navigateTo({ url })
    },
  },
})
