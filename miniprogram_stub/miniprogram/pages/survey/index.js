// 满意度评价：GET /circles/{id}/survey（进行中的调查期、我是否已作答），
// POST /circles/{id}/survey-responses（业态满意、服务满意 1-5 分；每人每期一次，只为居住的生活圈：
// 随答卷发送当前位置，服务器核验在本圈内或步行 15 分钟内；社区已确认居住的居民无位置也可作答）。
const api = require('../../utils/api')
const { here } = require('../../utils/location')

const SCORES = [1, 2, 3, 4, 5]
const LABELS = ['很不满意', '不满意', '一般', '满意', '很满意']

Component({
  data: {
    circleId: null,
    circleName: '',
    period: null,
    answered: false,
    loading: true,
    scores: SCORES,
    labels: LABELS,
    form: { type: 0, service: 0, comment: '' },
    submitting: false,
    refused: '',
  },
  methods: {
    async onLoad(query) {
      let circleId = Number(query.circle_id) || null
      let circleName = ''
      try {
        if (!circleId) {
          const found = await api.get('/circles/locate', await here(), { quiet: true })
          circleId = found.circle.id
          circleName = found.circle.name
        } else {
          circleName = (await api.get(`/circles/${circleId}`)).name
        }
      } catch (error) {
        this.setData({ loading: false })
        return null
      }
      this.setData({ circleId, circleName })
      return this.refresh()
    },
    async refresh() {
      // Logged in, so the server can say whether this resident already answered this period.
      const view = await api.get(`/circles/${this.data.circleId}/survey`, undefined, { auth: true })
      this.setData({ period: view.period, answered: !!view.answered, loading: false })
    },
    pick(e) {
      const { field, score } = e.currentTarget.dataset
      this.setData({ [`form.${field}`]: Number(score) })
    },
    onComment(e) {
      this.setData({ 'form.comment': e.detail.value })
    },
    async submit() {
      const { form, circleId } = this.data
      if (!form.type || !form.service) return wx.showToast({ title: '请为两项都打分', icon: 'none' })
      this.setData({ submitting: true })
      let location = null
      try {
        location = await here() // where the resident answers from: the server checks it is their circle
      } catch (e) {
        location = null // without permission, only a home confirmed by community staff counts
      }
      try {
        const body = {
          type_satisfaction: form.type,
          service_satisfaction: form.service,
          comment: form.comment.trim() || null,
          ...(location ? { location } : {}),
        }
        await api.post(`/circles/${circleId}/survey-responses`, body)
        this.setData({ answered: true })
        wx.showToast({ title: '感谢参与', icon: 'success' })
      } catch (error) {
        if (error.code === 'already_answered') this.setData({ answered: true })
        else if (error.status === 409) this.setData({ refused: error.message }) // not this resident's circle
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
