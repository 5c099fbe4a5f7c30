import { defineStore } from 'pinia'
import { http } from '@/api/http'
import type { BusinessType, CircleDetail } from '@/api/types'

/** Data that rarely changes, fetched once per session: business types and circle details. */
export const useTaxonomy = defineStore('taxonomy', {
  state: () => ({ types: [] as BusinessType[], circles: {} as Record<number, CircleDetail> }),
  getters: {
    typeName: (s) => (code: string | null | undefined) => s.types.find((t) => t.code === code)?.name_zh || code || '—',
  },
  actions: {
    async loadTypes() {
      if (!this.types.length) this.types = (await http.get<{ items: BusinessType[] }>('/business-types')).items
      return this.types
    },
    async circle(id: number) {
      if (!this.circles[id]) this.circles[id] = await http.get<CircleDetail>(`/circles/${id}`, { coord: 'gcj02' })
      return this.circles[id]
    },
  },
})
