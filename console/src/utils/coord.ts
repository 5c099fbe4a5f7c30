// GCJ-02 ⇄ WGS-84 as the server does it (app/common/geo.py), for showing both systems to staff and for tiles.
// The map asks the API for data in its tiles' system (`coord`), so drawing never converts; these are for
// display and for points a person types in.

const A = 6378245.0
const EE = 0.00669342162296594323

/** Coarse mainland test (the server uses a real outline; outside China nothing is shifted). */
export function outOfChina(lng: number, lat: number) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function transformLat(x: number, y: number) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  return r
}

function transformLng(x: number, y: number) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  return r
}

export function wgs84ToGcj02(lng: number, lat: number): [number, number] {
  if (outOfChina(lng, lat)) return [lng, lat]
  let dLat = transformLat(lng - 105.0, lat - 35.0)
  let dLng = transformLng(lng - 105.0, lat - 35.0)
  const radLat = (lat / 180.0) * Math.PI
  let magic = Math.sin(radLat)
  magic = 1 - EE * magic * magic
  const sqrtMagic = Math.sqrt(magic)
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return [lng + dLng, lat + dLat]
}

/** Inverse by fixed-point iteration: error well under a centimetre after a few rounds. */
export function gcj02ToWgs84(lng: number, lat: number): [number, number] {
  if (outOfChina(lng, lat)) return [lng, lat]
  let [wLng, wLat] = [lng, lat]
  for (let i = 0; i < 8; i++) {
    const [gLng, gLat] = wgs84ToGcj02(wLng, wLat)
    wLng -= gLng - lng
    wLat -= gLat - lat
  }
  return [wLng, wLat]
}

export type Coord = 'gcj02' | 'wgs84'

export interface TileSettings {
  url: string | null
  coord: Coord
  subdomains: string
  attribution: string
}

/** The coordinate system to ask the API for: the tiles', or GCJ-02 (the API's default) with no tiles. */
export function dataCoord(tiles: TileSettings | null | undefined): Coord {
  return tiles?.url && tiles.coord === 'wgs84' ? 'wgs84' : 'gcj02'
}

/** Great-circle distance in metres (haversine; enough for rings and labels). */
export function distanceM(a: [number, number], b: [number, number]) {
  const R = 6371008.8
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad
  const dLng = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2
  return 2 * R * Math.asin(Math.sqrt(h))
}

/** Walking rings: straight-line radius of N minutes at 80 m/min with a 1.2 street detour (as the server). */
export function walkRadiusM(minutes: number, speedMPerMin = 80, detour = 1.2) {
  return (minutes * speedMPerMin) / detour
}

/** [minLng, minLat, maxLng, maxLat] of any GeoJSON geometry or feature collection. */
export function bbox(geojson: unknown): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
      const [x, y] = c as [number, number]
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y]
    } else if (Array.isArray(c)) c.forEach(visit)
  }
  const walk = (g: unknown): void => {
    if (!g || typeof g !== 'object') return
    const o = g as Record<string, unknown>
    if (o.type === 'FeatureCollection') (o.features as unknown[]).forEach(walk)
    else if (o.type === 'Feature') walk(o.geometry)
    else if (o.type === 'GeometryCollection') (o.geometries as unknown[]).forEach(walk)
    else visit(o.coordinates)
  }
  walk(geojson)
  return box
}
