// 我的生活圈：我居住（或所在）的生活圈评了几星、还缺什么（GET /circles/{id}/evaluation 公开摘要，
// GET /circles/{id}/gap-summary 一单公开版），大家的需求与“我也要”（GET /circles/{id}/demands），
// 项目进度（GET /circles/{id}/projects），满意清单（GET /circles/{id}/satisfied-list），
// 附近活动（GET /events/nearby）；社区电话（wx.makePhoneCall）。
const api = require('../../utils/api')
const { myCircle, callCommunity, callLabel, starText } = require('../../utils/circle')
const { meToo } = require('../../utils/needs')
const { loadedBy } = require('../../utils/page')
const { distance } = require('../../utils/catalog')

const OPEN_NEEDS = ['submitted', 'accepted', 'in_progress', 'reopened']
const GAP_LINES = 5

/** The head line under the name: stars and type, or why the circle is not rated yet. */
function rating(evaluation) {
  if (!evaluation) return { stars: '', starsLabel: '', verdict: '评价暂不可用' }
  const presence = `有没有 ${evaluation.presence.score} 分 · 好不好 ${evaluation.service.score} 分（${evaluation.grade_name}）`
  if (!evaluation.stars) {
    return { stars: starText(0), starsLabel: '尚未评星', verdict: evaluation.not_rated_reason || '尚未评星', presence }
  }
  return {
    stars: starText(evaluation.stars),
    starsLabel: `${evaluation.stars} 星，${evaluation.final_type_name}生活圈`,
    verdict: `${evaluation.final_type_name} · ${evaluation.stars} 星`,
    presence,
  }
}

/** A need row with the sentence a screen reader speaks for its "me too" button. */
function needRow(need) {
  const label = need.supported_by_me ? '您已支持这条需求' : '我也需要，支持这条需求'
  return { ...need, meTooLabel: `${label}，已有 ${need.support_count} 人支持` }
}

function projectRow(project) {
  return { ...project, progressLabel: `进度百分之${project.progress}` }
}

function gapLine(line) {
  const where = line.community_name ? `${line.community_name}` : '全圈'
  return { ...line, title: `${line.what_name}（${where}还缺 ${line.missing} 处）` }
}

Component({
  data: {
    loading: true,
    outside: false,
    error: '',
    circle: null,
    community: null,
    callLabel: '',
    source: '',
    rating: null,
    gaps: [],
    needs: [],
    projects: [],
    satisfied: [],
    events: [],
    elder: false,
    elderClass: '',
  },
  methods: {
    ...loadedBy('load', '加载失败'),
    async load() {
      const mine = await myCircle()
      if (!mine.circle) return this.setData({ outside: true, circle: null })
      const { circle, community, source } = mine
      this.setData({ circle, community, source, callLabel: callLabel(community) })
      return this.loadCircle(mine.circle.id, mine.point)
    },
    async loadCircle(id, point) {
      const optional = (promise) => promise.catch(() => null)
      const [evaluation, gaps, needs, projects, satisfied, events] = await Promise.all([
        optional(api.get(`/circles/${id}/evaluation`, undefined, { quiet: true })),
        optional(api.get(`/circles/${id}/gap-summary`, undefined, { quiet: true })),
        api.get(`/circles/${id}/demands`, { status: OPEN_NEEDS, sort: 'supports', page_size: 10, coord: 'gcj02' }),
        api.get(`/circles/${id}/projects`, { coord: 'gcj02' }),
        api.get(`/circles/${id}/satisfied-list`, { page_size: 10, coord: 'gcj02' }),
        api.get('/events/nearby', { ...point, page_size: 5 }),
      ])
      this.setData({
        rating: rating(evaluation),
        gaps: gaps ? gaps.items.slice(0, GAP_LINES).map(gapLine) : [],
        needs: needs.items.map(needRow),
        projects: projects.items.filter((p) => p.status !== 'cancelled').map(projectRow),
        satisfied: satisfied.items,
        events: events.items.map((e) => ({ ...e, distance_text: distance(e.distance_m) })),
      })
    },
    async support(e) {
      const needs = await meToo(this.data.needs, Number(e.currentTarget.dataset.id))
      this.setData({ needs: needs.map(needRow) })
    },
    openNeed(e) {
      wx.navigateTo({ url: `/pages/demands/detail?id=${e.currentTarget.dataset.id}` })
    },
    openNewNeed() {
      wx.navigateTo({ url: '/pages/demands/new' })
    },
    callCommunity() {
      return callCommunity(this.data.community)
    },
  },
})
