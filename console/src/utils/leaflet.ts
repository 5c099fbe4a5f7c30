// Leaflet set-up shared by the map pages: tiles from configuration (none → a plain background, works offline).
import L from 'leaflet'
import 'leaflet/dist/leaflet.css'
import type { TileSettings } from '@/utils/coord'

export { L }

export function createMap(el: HTMLElement, tiles: TileSettings | null) {
  const map = L.map(el, { zoomControl: true, attributionControl: !!tiles?.url, preferCanvas: true })
  if (tiles?.url) {
    L.tileLayer(tiles.url, {
      subdomains: tiles.subdomains || 'abc',
      attribution: tiles.attribution || '',
      maxZoom: 19,
    }).addTo(map)
  } else {
    el.classList.add('plain-map')
  }
  map.setView([40.3775, 116.8492], 14)
  return map
}

export const TYPE_COLORS = ['#e6550d', '#3182bd', '#31a354', '#756bb1', '#d6616b', '#8c6d31', '#17becf', '#bcbd22']

export function colorFor(key: string, palette = TYPE_COLORS) {
  let h = 0
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return palette[h % palette.length]
}
