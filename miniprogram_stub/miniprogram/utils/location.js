/** Where the user is, in GCJ-02 (what every wx location API and <map> use; never converted). */
let cached = null
const FRESH_MS = 30 * 1000

function here() {
  if (cached && Date.now() - cached.at < FRESH_MS) return Promise.resolve(cached.point)
  return new Promise((resolve, reject) =>
    wx.getLocation({
      type: 'gcj02',
      success: (res) => {
        cached = { at: Date.now(), point: { lat: res.latitude, lng: res.longitude } }
        resolve(cached.point)
      },
      fail: (e) => {
        wx.showModal({
          title: '需要位置权限',
          content: '请在设置中允许使用位置，以查找您身边的便民网点',
          showCancel: false,
        })
        reject(e)
      },
    }),
  )
}

/** Opens WeChat's map with walking/driving directions to a GCJ-02 point from the API. */
function navigate(point, name, address) {
  wx.openLocation({ latitude: point.lat, longitude: point.lng, name, address, scale: 17 })
}

/** Map markers for <map> from API items (locations already GCJ-02). */
function markers(items) {
  return items.map((item) => ({
    id: item.id,
    latitude: item.location.lat,
    longitude: item.location.lng,
    title: item.name,
    width: 24,
    height: 32,
    callout: { content: item.name, display: 'BYCLICK', padding: 6, borderRadius: 4 },
  }))
}

/**
 * The page methods of a map with its list of outlets (`data.items`, the markers from `markers(items)`): a row or a
 * marker opens the outlet's page, 导航 opens WeChat's map at it. Spread into the page's methods (附近网点, 小修小补).
 */
const outletMapMethods = {
  openOutlet(e) {
    wx.navigateTo({ url: `/pages/outlet/index?id=${e.currentTarget.dataset.id}` })
  },
  onMarkerTap(e) {
    wx.navigateTo({ url: `/pages/outlet/index?id=${e.detail.markerId}` })
  },
  navigateTo(e) {
    const item = this.data.items.find((i) => i.id === e.currentTarget.dataset.id)
    navigate(item.location, item.name, item.address)
  },
}

module.exports = { here, navigate, markers, outletMapMethods }
