/** Needs shared by the pages that list them: "我也要" (me too) on someone else's open need. */
const api = require('./api')

/**
 * Supports need `id` and resolves with `items` updated (its support_count, supported_by_me); on a refusal
 * (e.g. 您已经支持过该需求, shown by the api module) resolves with `items` unchanged.
 */
async function meToo(items, id) {
  // Supporters are told too when the need is accepted or done, and asked "is it solved?".
  await api.requestSubscribe('demand')
  try {
    const result = await api.post(`/demands/${id}/support`)
    wx.showToast({ title: '已支持', icon: 'success' })
    return items.map((d) => (d.id === id ? { ...d, support_count: result.support_count, supported_by_me: true } : d))
  } catch (error) {
    return items
  }
}

module.exports = { meToo }
