// 认领店铺：已登记（普查导入等）的网点由商户认领。搜索网点（GET /outlets/nearby?q），营业执照号码与照片
// （POST /uploads，certification），微信手机号（getPhoneNumber → phone_code），POST /merchant/claims；
// 我的认领及状态（GET /merchant/claims），待审核或有争议时可撤回（DELETE /merchant/claims/{id}）。
const api = require('../../utils/api')
const { here } = require('../../utils/location')
const { distance, shortTime } = require('../../utils/catalog')
const { CLAIM_STATUS, pickAndUpload, phoneCode } = require('../../utils/merchant')

const SEARCH_RADIUS_M = 3000
const WITHDRAWABLE = ['pending', 'disputed']

function claimRow(claim) {
  return {
    ...claim,
    status_name: CLAIM_STATUS[claim.status] || claim.status,
    when: shortTime(claim.created_at),
    withdrawable: WITHDRAWABLE.indexOf(claim.status) >= 0,
  }
}

Component({
  data: {
    q: '',
    results: [],
    searched: false,
    outlet: null,
    form: { licenceNo: '', contactName: '', phoneCode: '' },
    licence: null,
    claims: [],
    submitting: false,
  },
  methods: {
    async onLoad(query = {}) {
      if (query.outlet_id) {
        const outlet = await api.get(`/outlets/${query.outlet_id}`).catch(() => null)
        if (outlet) this.setData({ outlet })
      }
      return this.loadClaims()
    },
    async loadClaims() {
      const page = await api.get('/merchant/claims', undefined, { auth: true })
      this.setData({ claims: page.items.map(claimRow) })
    },
    onQuery(e) {
      this.setData({ q: e.detail.value })
    },
    async search() {
      const q = this.data.q.trim()
      if (!q) return wx.showToast({ title: '请输入店名', icon: 'none' })
      const point = await here()
      const page = await api.get('/outlets/nearby', { ...point, q, radius: SEARCH_RADIUS_M, page_size: 10 })
      const results = page.items.map((o) => ({ ...o, distance_text: distance(o.distance_m) }))
      return this.setData({ results, searched: true })
    },
    pick(e) {
      const outlet = this.data.results.find((o) => o.id === Number(e.currentTarget.dataset.id))
      this.setData({ outlet, results: [], searched: false })
    },
    unpick() {
      this.setData({ outlet: null })
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value })
    },
    async chooseLicence() {
      const licence = await pickAndUpload('certification')
      if (licence) this.setData({ licence })
    },
    onPhoneNumber(e) {
      const code = phoneCode(e)
      if (code) this.setData({ 'form.phoneCode': code })
      else wx.showToast({ title: '认领需要核验微信手机号', icon: 'none' })
    },
    missing() {
      const { outlet, form, licence } = this.data
      if (!outlet) return '请先找到您的店铺'
      if (!form.licenceNo.trim()) return '请填写营业执照号码'
      if (!licence) return '请上传营业执照照片'
      if (!form.contactName.trim()) return '请填写联系人'
      if (!form.phoneCode) return '请用微信手机号核验'
      return ''
    },
    async submit() {
      const problem = this.missing()
      if (problem) return wx.showToast({ title: problem, icon: 'none' })
      const { outlet, form, licence } = this.data
      this.submitKey = this.submitKey || api.newKey()
      this.setData({ submitting: true })
      try {
        const body = {
          outlet_id: outlet.id,
          licence_no: form.licenceNo.trim(),
          licence_photo_id: licence.id,
          contact_name: form.contactName.trim(),
          phone_code: form.phoneCode,
        }
        const claim = await api.post('/merchant/claims', body, { key: this.submitKey })
        this.submitKey = null
        wx.showToast({ title: '已提交，等待社区审核', icon: 'none' })
        this.setData({ outlet: null, licence: null, form: { licenceNo: '', contactName: '', phoneCode: '' } })
        await this.loadClaims()
        return claim
      } catch (error) {
        return null // shown by the api module (e.g. 该网点已有您的认领申请)
      } finally {
        this.setData({ submitting: false })
      }
    },
    async withdraw(e) {
      const id = Number(e.currentTarget.dataset.id)
      const answer = await api.wxp('showModal', { title: '撤回认领', content: '确定撤回这条认领申请吗？' })
      if (!answer.confirm) return
      try {
        await api.del(`/merchant/claims/${id}`)
        wx.showToast({ title: '已撤回', icon: 'none' })
      } catch (error) {
        // shown by the api module
      }
      await this.loadClaims()
    },
    manage(e) {
      wx.navigateTo({ url: `/pages/merchant/shop?id=${e.currentTarget.dataset.outlet}` })
    },
  },
})
