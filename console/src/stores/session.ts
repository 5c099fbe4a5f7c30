import { defineStore } from 'pinia'
import { http, ApiError } from '@/api/http'
import type { SessionUser } from '@/utils/permission'
import type { CircleSummary } from '@/api/types'

interface State {
  user: SessionUser | null
  circles: CircleSummary[]
  currentCircleId: number | null
  checked: boolean
}

const CIRCLE_KEY = 'console.circle' // only a UI preference; the session itself never touches web storage

export const useSession = defineStore('session', {
  state: (): State => ({ user: null, circles: [], currentCircleId: null, checked: false }),
  getters: {
    managedCircleIds: (s) => s.circles.map((c) => c.id),
    currentCircle: (s) => s.circles.find((c) => c.id === s.currentCircleId) || null,
    displayName: (s) => s.user?.display_name || s.user?.username || '',
  },
  actions: {
    /** Who is signed in (the cookie decides); called once before the first route. */
    async restore() {
      if (this.checked) return this.user
      try {
        this.user = await http.get<SessionUser>('/me')
        await this.loadCircles()
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error
        this.user = null
      } finally {
        this.checked = true
      }
      return this.user
    },
    async signIn(username: string, password: string) {
      const session = await http.post<{ user: SessionUser }>('/auth/console/login', { username, password })
      this.user = session.user
      this.checked = true
      await this.loadCircles()
      return this.user
    },
    async signOut() {
      try {
        await http.post('/auth/console/logout')
      } finally {
        this.$reset()
        this.checked = true
      }
    },
    async loadCircles() {
      const answer = await http.get<{ items: CircleSummary[] }>('/staff/circles')
      this.circles = answer.items
      const saved = Number(sessionStorage.getItem(CIRCLE_KEY))
      this.currentCircleId = this.circles.some((c) => c.id === saved) ? saved : this.circles[0]?.id ?? null
    },
    selectCircle(id: number) {
      this.currentCircleId = id
      sessionStorage.setItem(CIRCLE_KEY, String(id))
    },
    forget() {
      this.user = null
      this.circles = []
    },
  },
})
