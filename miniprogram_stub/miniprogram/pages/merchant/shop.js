// 管理我的店铺：每天不同的营业时间、照片（POST /uploads，outlet_photo）、服务项目与价格（明码标价）、
// 流动摊点的出摊安排（地点用 wx.chooseLocation，GCJ-02），PATCH /merchant/outlets/{id} 即时生效；
// 名称、位置、业态等改动需审核（pending_change）。入口：我的认领（已通过）、我的网点列表。
const api = require('../../utils/api')
const { DAYS } = require('../../utils/catalog')
const { toRows, fromRows, oneDay } = require('../../utils/hours')
const { pickAndUpload } = require('../../utils/merchant')
const { priceRows, offered, priceMethods } = require('../../utils/prices')

const MAX_PHOTOS = 9
const STATUS = { approved: '营业中', suspended: '暂停营业', closed: '已关闭', pending: '待审核' }

Component({
  data: {
    outlets: [],
    outlet: null,
    statusName: '',
    days: DAYS.map(([, day]) => day),
    hours: [],
    photos: [],
    prices: [],
    schedule: [],
    slot: { dayIndex: 5, opens: '08:00', closes: '12:00', place: null },
    saving: false,
  },
  methods: {
    async onLoad(query = {}) {
      const repair = await api.get('/repair-service-items')
      this.repairItems = repair.items
      if (query.id) return this.open(Number(query.id))
      const mine = await api.get('/merchant/outlets', undefined, { auth: true })
      this.setData({ outlets: mine.items })
      return mine.items.length === 1 ? this.open(mine.items[0].id) : null
    },
    pickOutlet(e) {
      return this.open(Number(e.currentTarget.dataset.id))
    },
    async open(id) {
      const outlet = await api.get(`/merchant/outlets/${id}`, { coord: 'gcj02' }, { auth: true })
      this.show(outlet)
    },
    show(outlet) {
      this.setData({
        outlet,
        statusName: STATUS[outlet.status] || outlet.status,
        hours: toRows(outlet.hours),
        photos: (outlet.photos || []).map((p) => ({ id: p.upload_id, url: p.thumb_url || p.url })),
        prices: priceRows(this.repairItems, outlet.price_list),
        schedule: outlet.schedule.map((s) => ({
          location: s.location,
          address: s.address,
          hours: s.hours,
          text: s.hours_text,
        })),
      })
    },
    // ---- hours
    toggleDay(e) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ [`hours[${i}].open`]: Boolean(e.detail.value) })
    },
    setTime(e) {
      const { index, field } = e.currentTarget.dataset
      this.setData({ [`hours[${Number(index)}].${field}`]: e.detail.value })
    },
    // ---- photos
    async addPhoto() {
      if (this.data.photos.length >= MAX_PHOTOS) return wx.showToast({ title: `最多 ${MAX_PHOTOS} 张`, icon: 'none' })
      const photo = await pickAndUpload('outlet_photo')
      if (photo) this.setData({ photos: this.data.photos.concat([{ id: photo.id, url: photo.path }]) })
      return photo
    },
    removePhoto(e) {
      this.setData({ photos: this.data.photos.filter((p) => p.id !== e.currentTarget.dataset.id) })
    },
    // ---- prices
    ...priceMethods('prices'),
    // ---- stall schedule
    setSlot(e) {
      const field = e.currentTarget.dataset.field
      const value = field === 'dayIndex' ? Number(e.detail.value) : e.detail.value
      this.setData({ [`slot.${field}`]: value })
    },
    async chooseSlotPlace() {
      try {
        const res = await api.wxp('chooseLocation', {})
        this.setData({ 'slot.place': { lat: res.latitude, lng: res.longitude, address: res.address || res.name } })
      } catch (e) {
        // closed without choosing
      }
    },
    addSlot() {
      const { slot, schedule } = this.data
      if (!slot.place) return wx.showToast({ title: '请先选择出摊地点', icon: 'none' })
      if (slot.closes <= slot.opens) return wx.showToast({ title: '收摊时间应晚于出摊时间', icon: 'none' })
      const [code, day] = DAYS[slot.dayIndex]
      const added = {
        location: { lat: slot.place.lat, lng: slot.place.lng },
        address: slot.place.address,
        hours: oneDay(code, slot.opens, slot.closes),
        text: `${day} ${slot.opens}-${slot.closes}`,
      }
      return this.setData({ schedule: schedule.concat([added]), 'slot.place': null })
    },
    removeSlot(e) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ schedule: this.data.schedule.filter((_, k) => k !== i) })
    },
    // ---- save
    body() {
      const { outlet, hours, photos, prices, schedule } = this.data
      const body = {
        hours: fromRows(hours),
        photo_ids: photos.map((p) => p.id),
        repair_services: offered(prices),
        coord: 'gcj02', // the stall places come from wx.chooseLocation
      }
      if (outlet.mobile) {
        body.schedule = schedule.map((s) => ({ location: s.location, address: s.address, hours: s.hours }))
      }
      return body
    },
    async save() {
      this.setData({ saving: true })
      try {
        const result = await api.patch(`/merchant/outlets/${this.data.outlet.id}`, this.body())
        this.show(result.outlet)
        wx.showToast({ title: result.change_request ? '已提交，部分修改待审核' : '已保存', icon: 'none' })
        return result
      } catch (error) {
        return null // shown by the api module (field details in a modal)
      } finally {
        this.setData({ saving: false })
      }
    },
    openRatings() {
      wx.navigateTo({ url: `/pages/merchant/ratings?id=${this.data.outlet.id}` })
    },
  },
})
