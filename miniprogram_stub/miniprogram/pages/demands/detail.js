// 需求详情与时间线（订阅消息打开的页面：pages/demands/detail?id=）。提交人看到自己的版本（审核状态），
// 其他人看公开版本 GET /demands/{id}（登录后带 my_confirmation）。办结后，提交人和支持者（含被合并需求的
// 提交人）都可回答“问题解决了吗？”（POST /demands/{id}/confirmation）。
const api = require('../../utils/api')
const { shortTime } = require('../../utils/catalog')

const ANSWERS = [
  { answer: 'yes', name: '已解决' },
  { answer: 'no', name: '未解决' },
  { answer: 'unsure', name: '不确定' },
]

function present(demand) {
  return {
    ...demand,
    when: shortTime(demand.created_at),
    steps: (demand.timeline || []).map((event) => ({ ...event, when: shortTime(event.at) })),
  }
}

Component({
  data: { demand: null, mine: false, answers: ANSWERS },
  methods: {
    async onLoad(query) {
      this.demandId = Number(query.id)
      // The submitter's own view carries moderation and the confirmation state; the public one does not.
      const own = await api.get('/me/demands', { page_size: 50 }, { auth: true }).catch(() => ({ items: [] }))
      const mine = own.items.find((d) => d.id === this.demandId)
      const demand = mine || (await api.get(`/demands/${this.demandId}`, undefined, { auth: true }))
      this.setData({ demand: present(demand), mine: !!mine })
    },
    async confirm(e) {
      const answer = e.currentTarget.dataset.answer
      try {
        const updated = await api.post(`/demands/${this.demandId}/confirmation`, { answer })
        this.setData({ demand: present(updated) })
        wx.showToast({ title: answer === 'no' ? '已重新打开' : '感谢反馈', icon: 'success' })
      } catch (error) {
        // shown by the api module
      }
    },
  },
})
