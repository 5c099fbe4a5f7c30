// 我的评价与信用：网点的评价（新的在前，可只看未回复的）、平均分、商户信用等级及依据
// （GET /merchant/outlets/{id}/ratings），回复或修改回复（POST /merchant/ratings/{id}/reply），撤回回复（DELETE 同一路径）。
const api = require('../../utils/api')
const { shortTime } = require('../../utils/catalog')
const { starText } = require('../../utils/circle')

function ratingRow(rating) {
  return {
    ...rating,
    starsText: starText(rating.stars),
    starsLabel: `${rating.stars} 星`,
    when: shortTime(rating.created_at),
    draft: rating.reply ? rating.reply.text : '',
  }
}

Component({
  data: { outletId: null, onlyUnreplied: false, items: [], summary: null, unreplied: 0, credit: null, hasMore: false },
  methods: {
    onLoad(query = {}) {
      this.setData({ outletId: Number(query.id) })
      return this.load()
    },
    async load(page = 1) {
      const { outletId, onlyUnreplied } = this.data
      const params = { page, page_size: 20, replied: onlyUnreplied ? 0 : undefined }
      const answer = await api.get(`/merchant/outlets/${outletId}/ratings`, params, { auth: true })
      const rows = answer.items.map(ratingRow)
      this.setData({
        items: page === 1 ? rows : this.data.items.concat(rows),
        page,
        hasMore: answer.has_more,
        summary: answer.rating,
        unreplied: answer.unreplied,
        credit: answer.credit,
      })
    },
    more() {
      return this.load(this.data.page + 1)
    },
    toggleUnreplied(e) {
      this.setData({ onlyUnreplied: Boolean(e.detail.value) })
      return this.load()
    },
    onDraft(e) {
      this.setData({ [`items[${Number(e.currentTarget.dataset.index)}].draft`]: e.detail.value })
    },
    async reply(e) {
      const index = Number(e.currentTarget.dataset.index)
      const rating = this.data.items[index]
      const text = (rating.draft || '').trim()
      if (!text) return wx.showToast({ title: '请写下回复内容', icon: 'none' })
      try {
        const updated = await api.post(`/merchant/ratings/${rating.id}/reply`, { text })
        this.setData({
          [`items[${index}]`]: ratingRow(updated),
          unreplied: rating.reply ? this.data.unreplied : Math.max(0, this.data.unreplied - 1),
        })
        return wx.showToast({ title: rating.reply ? '回复已修改' : '已回复', icon: 'none' })
      } catch (error) {
        return null // shown by the api module (e.g. the content check refused the text)
      }
    },
    async withdrawReply(e) {
      const index = Number(e.currentTarget.dataset.index)
      const rating = this.data.items[index]
      const answer = await api.wxp('showModal', { title: '撤回回复', content: '确定撤回对这条评价的回复吗？' })
      if (!answer.confirm) return null
      try {
        await api.del(`/merchant/ratings/${rating.id}/reply`)
        this.setData({
          [`items[${index}]`]: ratingRow({ ...rating, reply: null }),
          unreplied: this.data.unreplied + 1,
        })
        return wx.showToast({ title: '回复已撤回', icon: 'none' })
      } catch (error) {
        return null // shown by the api module
      }
    },
  },
})
