// 商户入驻：资质照片 POST /uploads（certification），手机号 getPhoneNumber → phone_code，
// POST /merchant/applications，进度 GET /merchant/applications（待审核、退回修改、已通过、已驳回及理由）。
// 附近已登记同名网点时（409 outlet_already_listed）列出这些网点：是本店就去认领，都不是再仍然申请（not_listed）。
const api = require('../../utils/api')
const { here } = require('../../utils/location')
const { APPLICATION_STATUS, shortTime } = require('../../utils/catalog')
const { pickAndUpload, phoneCode } = require('../../utils/merchant')
const { priceRows, offered, priceMethods } = require('../../utils/prices')

const DAY_CODES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

Component({
  data: {
    applications: [],
    types: [],
    typeIndex: -1,
    repairItems: [],
    form: {
      name: '',
      address: '',
      phone: '',
      phoneCode: '',
      opens: '08:00',
      closes: '20:00',
      licenceNumber: '',
      exempt: false,
    },
    place: null,
    licence: null,
    listed: [],
    notListed: false,
    submitting: false,
  },
  methods: {
    async onLoad() {
      const [types, repair, point] = await Promise.all([
        api.get('/business-types'),
        api.get('/repair-service-items'),
        here(),
      ])
      this.setData({
        types: types.items,
        repairItems: priceRows(repair.items),
        place: { ...point, name: '', address: '' },
      })
      return this.loadApplications()
    },
    async loadApplications() {
      const page = await api.get('/merchant/applications', undefined, { auth: true })
      const applications = page.items.map((a) => ({
        ...a,
        status_name: APPLICATION_STATUS[a.status] || a.status,
        when: shortTime(a.submitted_at),
      }))
      this.setData({ applications })
    },
    isRepair() {
      const { types, typeIndex } = this.data
      return typeIndex >= 0 && types[typeIndex].code === 'repair'
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value })
    },
    pickType(e) {
      this.setData({ typeIndex: Number(e.detail.value) })
    },
    toggleExempt(e) {
      this.setData({ 'form.exempt': e.detail.value })
    },
    ...priceMethods('repairItems'),
    onPhoneNumber(e) {
      const code = phoneCode(e)
      if (code) this.setData({ 'form.phoneCode': code, 'form.phone': '已授权微信手机号' })
    },
    async chooseLocation() {
      const { place } = this.data
      try {
        const res = await api.wxp('chooseLocation', { latitude: place.lat, longitude: place.lng })
        this.setData({
          place: { lat: res.latitude, lng: res.longitude, name: res.name, address: res.address },
          'form.address': res.address || res.name,
        })
      } catch (e) {
        // closed without choosing
      }
    },
    async chooseLicence() {
      const licence = await pickAndUpload('certification')
      if (licence) this.setData({ licence })
      return licence
    },
    body() {
      const { form, types, typeIndex, place, licence, repairItems } = this.data
      const span = [[form.opens, form.closes]]
      const body = {
        name: form.name.trim(),
        types: typeIndex >= 0 ? [types[typeIndex].code] : [],
        location: { lat: place.lat, lng: place.lng },
        address: form.address.trim(),
        hours: DAY_CODES.reduce((week, day) => ({ ...week, [day]: span }), {}),
        certification: form.exempt
          ? { licence_exempt: true, exempt_note: '免办营业执照的摊点' }
          : { licence_upload_id: licence ? licence.id : null, licence_number: form.licenceNumber.trim() || null },
      }
      if (this.data.notListed) body.not_listed = true
      if (form.phoneCode) body.phone_code = form.phoneCode
      else if (form.phone.trim()) body.phone = form.phone.trim()
      if (this.isRepair()) {
        body.repair_services = offered(repairItems)
      }
      return body
    },
    claimListed(e) {
      wx.navigateTo({ url: `/pages/merchant/claim?outlet_id=${e.currentTarget.dataset.id}` })
    },
    applyAnyway() {
      this.setData({ notListed: true, listed: [] })
      return this.submit()
    },
    async submit() {
      const { form, typeIndex, licence } = this.data
      if (!form.name.trim() || typeIndex < 0 || !form.address.trim())
        return wx.showToast({ title: '请填写名称、业态和地址', icon: 'none' })
      if (!form.exempt && !licence) return wx.showToast({ title: '请上传营业执照', icon: 'none' })
      this.submitKey = this.submitKey || api.newKey()
      this.setData({ submitting: true })
      try {
        const application = await api.post('/merchant/applications', this.body(), { key: this.submitKey, quiet: true })
        this.submitKey = null
        this.setData({ listed: [], notListed: false })
        wx.showToast({ title: '已提交，等待审核', icon: 'success' })
        await this.loadApplications()
        return application
      } catch (error) {
        if (error.code === 'outlet_already_listed') {
          this.submitKey = null // answering "none of these" is a new request
          this.setData({ listed: error.details.outlets || [] })
        } else api.showError(error)
        return null
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
