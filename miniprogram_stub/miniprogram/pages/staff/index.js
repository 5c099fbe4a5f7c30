// 工作人员：用户名密码登录 POST /auth/staff/login；入驻审核 GET /staff/applications，
// POST /staff/applications/{id}/approve|reject|return；需求分拣 GET /staff/demands，PATCH /staff/demands/{id}。
const api = require('../../utils/api')
const { shortTime } = require('../../utils/catalog')

const AS_STAFF = { as: 'staff', auth: true }
// What a staff member can do next from each status (the server enforces the same transitions).
const STEP_NAMES = { accepted: '受理', in_progress: '开始办理', done: '办结', rejected: '驳回' }
const NEXT = {
  submitted: ['accepted', 'rejected'],
  accepted: ['in_progress', 'done', 'rejected'],
  in_progress: ['done', 'rejected'],
  reopened: ['accepted', 'in_progress', 'done'],
}
const PRIORITIES = [
  { code: 'urgent', name: '紧急' },
  { code: 'high', name: '较急' },
  { code: 'normal', name: '一般' },
  { code: 'low', name: '可缓' },
]

Component({
  data: {
    user: null,
    tab: 'applications',
    username: '',
    password: '',
    applications: [],
    demands: [],
    priorities: PRIORITIES,
    busy: false,
  },
  methods: {
    onLoad() {
      const current = api.session('staff')
      if (!current) return null
      this.setData({ user: current.user })
      return this.refresh()
    },
    onField(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value })
    },
    async login() {
      const { username, password } = this.data
      if (!username || !password) return wx.showToast({ title: '请输入用户名和密码', icon: 'none' })
      try {
        const current = await api.staffLogin(username.trim(), password)
        this.setData({ user: current.user, password: '' })
        return this.refresh()
      } catch (error) {
        return null
      }
    },
    logout() {
      api.logout('staff')
      this.setData({ user: null, applications: [], demands: [] })
    },
    switchTab(e) {
      this.setData({ tab: e.currentTarget.dataset.tab })
      return this.refresh()
    },
    async refresh() {
      try {
        if (this.data.tab === 'applications') {
          const page = await api.get('/staff/applications', { status: 'pending' }, AS_STAFF)
          this.setData({
            applications: page.items.map((a) => ({
              ...a,
              when: shortTime(a.submitted_at),
              address: a.payload.address,
            })),
          })
        } else {
          const page = await api.get('/staff/demands', { status: 'submitted,accepted,in_progress,reopened' }, AS_STAFF)
          this.setData({
            demands: page.items.map((d) => ({
              ...d,
              when: shortTime(d.created_at),
              next: (NEXT[d.status] || []).map((status) => ({ status, name: STEP_NAMES[status] })),
            })),
          })
        }
      } catch (error) {
        if (error.code === 'staff_login_required') this.setData({ user: null })
      }
    },
    /** Asks for a reason (reject/return) or a public reply (done) in an editable modal. */
    async ask(title, placeholderText) {
      const res = await api.wxp('showModal', { title, editable: true, placeholderText })
      return res.confirm ? (res.content || '').trim() : null
    },
    async decide(e) {
      const { id, action } = e.currentTarget.dataset
      let body = {}
      if (action !== 'approve') {
        const reason = await this.ask(action === 'reject' ? '驳回理由' : '需要修改什么', '请填写，申请人可见')
        if (!reason) return null
        body = { reason }
      }
      return this.act(
        () => api.post(`/staff/applications/${id}/${action}`, body, AS_STAFF),
        action === 'approve' ? '已通过，网点已发布' : '已处理',
      )
    },
    async triage(e) {
      const { id, status } = e.currentTarget.dataset
      const body = { status }
      if (status === 'rejected') {
        body.reason = await this.ask('驳回理由', '请填写，居民可见')
        if (!body.reason) return null
      }
      if (status === 'done') {
        const reply = await this.ask('办结答复', '告诉居民办理结果（选填）')
        if (reply === null) return null
        if (reply) body.reply = reply
      }
      return this.act(() => api.patch(`/staff/demands/${id}`, body, AS_STAFF), '已更新')
    },
    setPriority(e) {
      const priority = PRIORITIES[Number(e.detail.value)].code
      return this.act(() => api.patch(`/staff/demands/${e.currentTarget.dataset.id}`, { priority }, AS_STAFF), '已更新')
    },
    async act(call, done) {
      this.setData({ busy: true })
      try {
        await call()
        wx.showToast({ title: done, icon: 'success' })
      } catch (error) {
        if (error.code === 'staff_login_required') this.setData({ user: null })
      } finally {
        this.setData({ busy: false })
      }
      return this.refresh()
    },
  },
})
