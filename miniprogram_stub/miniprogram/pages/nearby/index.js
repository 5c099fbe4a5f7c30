// 附近网点：GET /outlets/nearby（按步行距离排序，GCJ-02），筛选业态、营业中、关键词、排序、半径；
// <map> 标记同一批网点，wx.openLocation 导航。
const api = require('../../utils/api')
const elder = require('../../utils/elder')
const { here, markers, outletMapMethods } = require('../../utils/location')
const { SIX_ONES, distance } = require('../../utils/catalog')

const RADII = [500, 1000, 1500, 3000]
const SORTS = [
  { code: 'distance', name: '距离最近' },
  { code: 'rating', name: '评分最高' },
]

Component({
  data: {
    center: null,
    items: [],
    markers: [],
    page: 1,
    hasMore: false,
    total: null,
    loading: false,
    chips: [{ key: 'all', label: '全部', types: '' }].concat(
      SIX_ONES.map((c) => ({ key: c.key, label: c.label + c.name, types: c.types.join(',') })),
    ),
    filters: { types: '', q: '', open_now: false, sort: 'distance', radius: 1000 },
    radii: RADII.map((r) => distance(r)),
    radiusIndex: 1,
    sorts: SORTS,
    sortIndex: 0,
  },
  methods: {
    onShow() {
      this.setData(elder.pageData()) // 长辈模式: large type (class on the page root)
    },
    async onLoad(query) {
      if (query.title) wx.setNavigationBarTitle({ title: decodeURIComponent(query.title) })
      this.setData({ 'filters.types': query.types || '', 'filters.q': query.q ? decodeURIComponent(query.q) : '' })
      const center = await here()
      this.setData({ center })
      return this.search()
    },
    onReachBottom() {
      if (this.data.hasMore && !this.data.loading) return this.search(this.data.page + 1)
      return null
    },
    async search(page = 1) {
      const { center, filters } = this.data
      this.setData({ loading: true })
      try {
        const params = {
          lat: center.lat,
          lng: center.lng,
          page,
          page_size: 20,
          ...filters,
          open_now: filters.open_now || undefined,
        }
        const result = await api.get('/outlets/nearby', params)
        const rows = result.items.map((item) => ({ ...item, distance_text: distance(item.distance_m) }))
        const items = page === 1 ? rows : this.data.items.concat(rows)
        this.setData({ items, markers: markers(items), page, hasMore: result.has_more, total: result.total })
      } finally {
        this.setData({ loading: false })
      }
    },
    pickChip(e) {
      this.setData({ 'filters.types': e.currentTarget.dataset.types })
      return this.search()
    },
    toggleOpenNow(e) {
      this.setData({ 'filters.open_now': e.detail.value })
      return this.search()
    },
    pickSort(e) {
      const index = Number(e.detail.value)
      this.setData({ sortIndex: index, 'filters.sort': SORTS[index].code })
      return this.search()
    },
    pickRadius(e) {
      const index = Number(e.detail.value)
      this.setData({ radiusIndex: index, 'filters.radius': RADII[index] })
      return this.search()
    },
    onKeyword(e) {
      this.setData({ 'filters.q': e.detail.value.trim() })
      return this.search()
    },
    ...outletMapMethods,
  },
})
