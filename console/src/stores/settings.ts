import { defineStore } from 'pinia'
import { http } from '@/api/http'
import type { TileSettings } from '@/utils/coord'

export const useSettings = defineStore('settings', {
  state: () => ({ tiles: null as TileSettings | null }),
  actions: {
    async load() {
      if (!this.tiles) this.tiles = (await http.get<{ tiles: TileSettings }>('/console/settings')).tiles
      return this
    },
  },
})
