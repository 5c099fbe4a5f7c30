// 小修小补地图：GET /repair/nearby（按服务项目筛选、只看此刻出摊），GET /repair-service-items，
// 本圈服务项目覆盖 GET /repair/services?circle_id=（好不好评价：不少于 8 类）。
const api = require('../../utils/api')
const elder = require('../../utils/elder')
const { here, markers, outletMapMethods } = require('../../utils/location')
const { distance, price } = require('../../utils/catalog')

Component({
  data: {
    center: null,
    services: [],
    selected: '',
    presentNow: false,
    items: [],
    markers: [],
    coverage: null,
    loading: false,
  },
  methods: {
    onShow() {
      this.setData(elder.pageData()) // 长辈模式: large type (class on the page root)
    },
    async onLoad() {
      const center = await here()
      this.setData({ center })
      const [catalog] = await Promise.all([api.get('/repair-service-items'), this.search(), this.loadCoverage(center)])
      this.setData({ services: catalog.items })
    },
    async loadCoverage(center) {
      try {
        const found = await api.get('/circles/locate', center, { quiet: true })
        const coverage = await api.get('/repair/services', { circle_id: found.circle.id })
        this.setData({ coverage })
      } catch (error) {
        this.setData({ coverage: null }) // outside every circle: no coverage summary
      }
    },
    async search() {
      const { center, selected, presentNow } = this.data
      this.setData({ loading: true })
      try {
        const params = {
          lat: center.lat,
          lng: center.lng,
          radius: 1000,
          services: selected,
          present_now: presentNow || undefined,
          page_size: 50,
        }
        const result = await api.get('/repair/nearby', params)
        const items = result.items.map((item) => ({
          ...item,
          distance_text: item.on_site ? '可上门' : distance(item.distance_m),
          price_lines: (item.services || []).map((s) => `${s.name_zh} ${price(s)}`),
        }))
        this.setData({ items, markers: markers(items.filter((i) => !i.on_site)) })
      } finally {
        this.setData({ loading: false })
      }
    },
    pickService(e) {
      const code = e.currentTarget.dataset.code
      this.setData({ selected: this.data.selected === code ? '' : code })
      return this.search()
    },
    togglePresent(e) {
      this.setData({ presentNow: e.detail.value })
      return this.search()
    },
    ...outletMapMethods,
  },
})
