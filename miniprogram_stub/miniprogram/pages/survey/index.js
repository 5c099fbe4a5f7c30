// 满意度评价：GET /circles/{id}/survey（进行中的调查期、我是否已作答），
// POST /circles/{id}/survey-responses（业态满意、服务满意 1-5 分，每人每圈每期一次）。
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
      try {
        const body = {
          type_satisfaction: form.type,
          service_satisfaction: form.service,
          comment: form.comment.trim() || null,
        }
        await api.post(`/circles/${circleId}/survey-responses`, body)
        this.setData({ answered: true })
        wx.showToast({ title: '感谢参与', icon: 'success' })
      } catch (error) {
        if (error.status === 409) this.setData({ answered: true })
      } finally {
        this.setData({ submitting: false })
      }
    },
  },
})
