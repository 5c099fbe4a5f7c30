// 提需求：附近相似的需求可直接“我也要”（GET /demands/similar，POST /demands/{id}/support）；
// 选了“缺什么”的业态后先列出附近已有的同类网点（GET /demands/existing-outlets：名称、距离、是否营业），
// 仍要提交须选理由（太贵、经常关门、质量差…，existing_reason）；
// 照片 wx.chooseMedia → POST /uploads（demand_photo），位置 wx.chooseLocation（GCJ-02），
// 提交前请求订阅消息授权，POST /demands 带 Idempotency-Key（同一次提交的重试用同一个键）。
const api = require('../../utils/api')
const elder = require('../../utils/elder')
const { here } = require('../../utils/location')
const { DEMAND_KINDS, distance } = require('../../utils/catalog')
const { meToo } = require('../../utils/needs')

Component({
  data: {
    kinds: DEMAND_KINDS,
    kindIndex: 0,
    types: [],
    typeIndex: -1,
    outlet: null,
    text: '',
    place: null,
    photos: [],
    similar: [],
    similarRadius: null,
    existing: null,
    reasonIndex: -1,
    submitting: false,
  },
  methods: {
    onShow() {
      this.setData(elder.pageData()) // 长辈模式: large type (class on the page root)
    },
    async onLoad(query) {
      const kindIndex = Math.max(
        0,
        DEMAND_KINDS.findIndex((k) => k.code === query.kind),
      )
      const outlet = query.outlet_id
        ? { id: Number(query.outlet_id), name: decodeURIComponent(query.outlet_name || '') }
        : null
      this.setData({ kindIndex, outlet })
      const [types, point] = await Promise.all([api.get('/business-types'), here()])
      const typeIndex = query.business_type ? types.items.findIndex((t) => t.code === query.business_type) : -1
      this.setData({ types: types.items, typeIndex, place: { ...point, name: '当前位置', address: '' } })
      return this.refresh()
    },
    refresh() {
      return Promise.all([this.loadSimilar(), this.loadExisting()])
    },
    kind() {
      return DEMAND_KINDS[this.data.kindIndex].code
    },
    businessType() {
      const { types, typeIndex } = this.data
      return this.kind() === 'missing_type' && typeIndex >= 0 ? types[typeIndex].code : null
    },
    pickKind(e) {
      this.setData({ kindIndex: Number(e.detail.value) })
      return this.refresh()
    },
    pickType(e) {
      this.setData({ typeIndex: Number(e.detail.value) })
      return this.refresh()
    },
    pickReason(e) {
      this.setData({ reasonIndex: Number(e.detail.value) })
    },
    showExisting(hint) {
      const items = (hint.items || []).map((o) => ({ ...o, distance_text: distance(o.distance_m) }))
      this.setData({ existing: { ...hint, items }, reasonIndex: -1 })
    },
    async loadExisting() {
      const { place } = this.data
      const businessType = this.businessType()
      if (!place || !businessType) return this.setData({ existing: null, reasonIndex: -1 })
      const hint = await api.get('/demands/existing-outlets', {
        lat: place.lat,
        lng: place.lng,
        business_type: businessType,
      })
      this.showExisting(hint)
      return hint
    },
    openExisting(e) {
      wx.navigateTo({ url: `/pages/outlet/index?id=${e.currentTarget.dataset.id}` })
    },
    onText(e) {
      this.setData({ text: e.detail.value })
    },
    async chooseLocation() {
      const { place } = this.data
      try {
        const res = await api.wxp('chooseLocation', { latitude: place.lat, longitude: place.lng })
        this.setData({ place: { lat: res.latitude, lng: res.longitude, name: res.name, address: res.address } })
        return this.refresh()
      } catch (e) {
        return null // closed the map without choosing
      }
    },
    async choosePhoto() {
      const left = 3 - this.data.photos.length
      if (left <= 0) return null
      let picked
      try {
        picked = await api.wxp('chooseMedia', { count: left, mediaType: ['image'], sizeType: ['compressed'] })
      } catch (e) {
        return null // cancelled
      }
      wx.showLoading({ title: '上传中' })
      try {
        for (const file of picked.tempFiles) {
          const upload = await api.upload(file.tempFilePath, 'demand_photo')
          this.setData({
            photos: this.data.photos.concat([{ id: upload.id, path: file.tempFilePath, check: upload.media_check }]),
          })
        }
      } catch (error) {
        return null
      } finally {
        wx.hideLoading()
      }
      return this.data.photos
    },
    removePhoto(e) {
      // Upload ids are UUID strings (never numbers: they must not be guessable).
      this.setData({ photos: this.data.photos.filter((p) => p.id !== String(e.currentTarget.dataset.id)) })
    },
    async loadSimilar() {
      const { place, outlet } = this.data
      if (!place || (this.kind() === 'missing_type' && !this.businessType())) return this.setData({ similar: [] })
      const params = {
        lat: place.lat,
        lng: place.lng,
        kind: this.kind(),
        business_type: this.businessType(),
        outlet_id: outlet && outlet.id,
      }
      const page = await api.get('/demands/similar', params)
      this.setData({
        similar: page.items.map((d) => ({ ...d, distance_text: distance(d.distance_m) })),
        similarRadius: page.radius_m,
      })
      return page
    },
    async support(e) {
      this.setData({ similar: await meToo(this.data.similar, Number(e.currentTarget.dataset.id)) })
    },
    async submit() {
      const { text, place, photos, outlet, existing, reasonIndex } = this.data
      if (!text.trim()) return wx.showToast({ title: '请描述您的需求', icon: 'none' })
      if (this.kind() === 'missing_type' && !this.businessType())
        return wx.showToast({ title: '请选择缺少的业态', icon: 'none' })
      const needsReason = this.kind() === 'missing_type' && existing && existing.reason_required
      if (needsReason && reasonIndex < 0) return wx.showToast({ title: '附近已有同类网点，请选择理由', icon: 'none' })
      // Asked inside the tap handler (WeChat requires a user gesture), before the need exists.
      await api.requestSubscribe('demand')
      // One key per need: a repeated tap after a failure replays instead of creating a second need.
      this.submitKey = this.submitKey || api.newKey()
      this.setData({ submitting: true })
      try {
        const body = {
          kind: this.kind(),
          business_type: this.businessType(),
          outlet_id: outlet ? outlet.id : null,
          text: text.trim(),
          address: [place.name, place.address].filter(Boolean).join(' '),
          location: { lat: place.lat, lng: place.lng },
          photo_ids: photos.map((p) => p.id),
        }
        if (needsReason) body.existing_reason = existing.reasons[reasonIndex].code
        const demand = await api.post('/demands', body, { key: this.submitKey })
        this.submitKey = null
        this.setData({ created: demand })
        wx.showToast({ title: demand.moderation === 'visible' ? '已提交' : '已提交，内容审核中', icon: 'success' })
        wx.switchTab({ url: '/pages/demands/index' })
        return demand
      } catch (error) {
        // Outlets of the type turned up since the hint was loaded: show them and ask for the reason.
        if (error.code === 'existing_outlets' && error.details.nearest) this.showExisting(error.details.nearest)
        return null
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
