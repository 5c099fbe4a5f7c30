import { describe, expect, it } from 'vitest'
import { bbox, dataCoord, distanceM, gcj02ToWgs84, outOfChina, walkRadiusM, wgs84ToGcj02 } from './coord'

describe('coordinates', () => {
  it('shifts WGS-84 to GCJ-02 as the server does (app/common/geo.py)', () => {
    const [lng, lat] = wgs84ToGcj02(116.8431, 40.3765)
    expect(lng).toBeCloseTo(116.84913338707466, 7)
    expect(lat).toBeCloseTo(40.377667717128595, 7)
  })

  it('inverts GCJ-02 to WGS-84 to well under a metre', () => {
    const [lng, lat] = gcj02ToWgs84(116.8492, 40.3775)
    expect(distanceM([lng, lat], [116.84316675347179, 40.37633245646666])).toBeLessThan(0.05)
  })

  it('leaves points outside China alone', () => {
    expect(outOfChina(2.35, 48.85)).toBe(true)
    expect(wgs84ToGcj02(2.35, 48.85)).toEqual([2.35, 48.85])
    expect(gcj02ToWgs84(2.35, 48.85)).toEqual([2.35, 48.85])
  })

  it('asks the API for the tiles\' system, GCJ-02 without tiles', () => {
    expect(dataCoord(null)).toBe('gcj02')
    expect(dataCoord({ url: null, coord: 'wgs84', subdomains: '', attribution: '' })).toBe('gcj02')
    expect(dataCoord({ url: 'https://t{s}.tianditu/{z}/{x}/{y}', coord: 'wgs84', subdomains: '', attribution: '' })).toBe('wgs84')
    expect(dataCoord({ url: 'https://amap/{z}/{x}/{y}', coord: 'gcj02', subdomains: '', attribution: '' })).toBe('gcj02')
  })

  it('walks 15 minutes in 1 km straight (80 m/min, 1.2 detour)', () => {
    expect(walkRadiusM(15)).toBe(1000)
    expect(Math.round(walkRadiusM(5))).toBe(333)
  })

  it('measures distances and boxes', () => {
    expect(distanceM([116.84, 40.37], [116.84, 40.38])).toBeCloseTo(1111.95, 0)
    expect(
      bbox({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: {} },
          { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[[[0, 5], [3, 1], [0, 5]]]] }, properties: {} },
        ],
      }),
    ).toEqual([0, 1, 3, 5])
    expect(bbox({ type: 'FeatureCollection', features: [] })).toBeNull()
  })
})
