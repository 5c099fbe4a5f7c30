// 我的数据与隐私：隐私保护指引的同意、微信手机号授权（打码显示）、导出我的数据（JSON）、注销账号。
// API: GET /privacy-notice, GET /me, POST /me/privacy-consent, POST|DELETE /me/phone, GET /me/export,
// POST /me/deletion.
const api = require('../../utils/api')

// What the export's sections are called on screen (records.* keys of GET /me/export).
const SECTIONS = {
  needs: '需求',
  me_too: '“我也要”',
  ratings: '评价',
  survey_answers: '满意度评价',
  uploads: '上传的文件',
  merchant_applications: '商户入驻申请',
  notifications: '订阅消息',
}
const EXPORT_FILE = 'my-data.json'

Component({
  data: { notice: null, user: null, exported: null, exportPath: '', deleting: false },
  methods: {
    async onShow() {
      const [notice, user] = await Promise.all([
        api.get('/privacy-notice'),
        api.get('/me', undefined, { auth: true }).catch(() => null),
      ])
      this.setData({ notice, user })
    },
    async agree() {
      const user = await api.post('/me/privacy-consent', { version: this.data.notice.version })
      this.setData({ user })
      wx.showToast({ title: '已同意', icon: 'success' })
    },
    async onPhoneNumber(e) {
      // Only WeChat's phone button gives a number: its code is traded on the server, the tap is the consent.
      if (!e.detail.code) return
      const user = await api.post('/me/phone', { phone_code: e.detail.code })
      this.setData({ user })
    },
    async withdrawPhone() {
      const user = await api.del('/me/phone')
      this.setData({ user })
    },
    async exportData() {
      const data = await api.get('/me/export', undefined, { auth: true })
      const path = `${wx.env.USER_DATA_PATH}/${EXPORT_FILE}`
      wx.getFileSystemManager().writeFile({
        filePath: path,
        data: JSON.stringify(data, null, 2),
        encoding: 'utf8',
        fail: () => wx.showToast({ title: '保存失败', icon: 'none' }),
      })
      const records = data.records || {}
      const counts = Object.keys(SECTIONS).map((key) => ({
        key,
        name: SECTIONS[key],
        count: (records[key] || []).length,
      }))
      this.setData({ exported: { at: data.exported_at, counts }, exportPath: path })
    },
    async deleteAccount() {
      const sure = await api.wxp('showModal', {
        title: '注销账号',
        content: '注销后，您的微信身份、手机号、上传的私密文件将立即删除，此操作不可恢复。确定注销吗？',
        confirmText: '注销',
        confirmColor: '#d9363e',
      })
      if (!sure.confirm) return
      const removal = await api.wxp('showModal', {
        title: '公开内容',
        content: '是否同时删除您公开的需求和评价？选择“保留”则显示为“已注销用户”。满意度评价仅保留匿名分数。',
        confirmText: '删除',
        cancelText: '保留',
      })
      this.setData({ deleting: true })
      try {
        await api.post('/me/deletion', { confirm: true, remove_content: !!removal.confirm })
      } finally {
        this.setData({ deleting: false })
      }
      api.logout()
      wx.showToast({ title: '账号已注销', icon: 'success' })
      wx.reLaunch({ url: '/pages/home/index' })
    },
  },
})
