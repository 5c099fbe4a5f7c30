/**
 * "My" circle and community: the home circle of the resident's profile (GET /me → circle_id, set by a survey
 * answer's location check or by community staff), else the circle they stand in (GET /circles/locate).
 * Also the one way pages phone the community (居委会).
 */
const api = require('./api')
const { here } = require('./location')

/**
 * Resolves {circle, community, source, point}: source is 'home' (profile) or 'location'; circle is null
 * outside every circle. community is the one the resident stands in (null for a home circle elsewhere).
 */
async function myCircle() {
  const point = await here()
  const [me, located] = await Promise.all([
    api.get('/me', undefined, { auth: true, quiet: true }).catch(() => null),
    api.get('/circles/locate', point, { quiet: true }).catch((error) => {
      if (error.code === 'outside_circles') return null
      throw error
    }),
  ])
  const homeId = me && me.circle_id
  if (homeId && !(located && located.circle.id === homeId)) {
    const circle = await api.get(`/circles/${homeId}`)
    return { circle, community: null, source: 'home', point }
  }
  return { circle: located && located.circle, community: located && located.community, source: 'location', point }
}

/** wx.makePhoneCall to the community's number, or says plainly that it has none registered. */
function callCommunity(community) {
  if (!community || !community.phone) {
    return wx.showModal({ title: '提示', content: '您所在社区的电话还没有登记，请到社区居委会咨询', showCancel: false })
  }
  return wx.makePhoneCall({ phoneNumber: community.phone })
}

/** The full sentence a screen reader speaks for the phone button. */
function callLabel(community) {
  return community && community.phone
    ? `打电话给${community.name}，号码 ${community.phone}`
    : '打电话给社区（您所在社区的电话还没有登记）'
}

/** 3 → "★★★☆☆" (profiles give 3 to 5 stars; 0 is not rated yet). */
function starText(stars, max = 5) {
  return '★'.repeat(stars) + '☆'.repeat(Math.max(0, max - stars))
}

module.exports = { myCircle, callCommunity, callLabel, starText }
