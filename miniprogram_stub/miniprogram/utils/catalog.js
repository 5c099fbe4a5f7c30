/**
 * Fixed labels the pages show. The six "一" categories (六个一) map to business-type codes of
 * GET /business-types (each type's `six_ones` field names its category; the tests check they agree).
 */
const SIX_ONES = [
  { key: 'store', label: '一店', name: '便利店', types: ['convenience_store'] },
  { key: 'breakfast', label: '一早', name: '早餐', types: ['breakfast'] },
  { key: 'vegetables', label: '一菜', name: '买菜', types: ['wet_market', 'fresh_grocery'] },
  { key: 'repair', label: '一修', name: '小修小补', types: ['repair'] },
  { key: 'elderly', label: '一老', name: '养老助餐', types: ['elderly_care', 'community_canteen'] },
  { key: 'kids', label: '一小', name: '托育', types: ['childcare'] },
]

const DAYS = [
  ['mon', '周一'],
  ['tue', '周二'],
  ['wed', '周三'],
  ['thu', '周四'],
  ['fri', '周五'],
  ['sat', '周六'],
  ['sun', '周日'],
]

const DEMAND_KINDS = [
  { code: 'missing_type', name: '缺少业态（缺什么）' },
  { code: 'service_quality', name: '服务质量' },
  { code: 'outlet_closed', name: '网点已关停' },
  { code: 'other', name: '其他' },
]

const APPLICATION_STATUS = { pending: '待审核', returned: '退回修改', approved: '已通过', rejected: '已驳回' }

/** 25 → "25 米", 1530 → "1.5 公里". */
function distance(meters) {
  if (meters === null || meters === undefined) return ''
  return meters < 1000 ? `${meters} 米` : `${(meters / 1000).toFixed(1)} 公里`
}

/** Weekly hours {"mon": [["07:00", "20:00"]]} → [{day: "周一", text: "07:00-20:00"}]; no entry means 休息. */
function weekRows(hours) {
  return DAYS.map(([code, day]) => {
    const spans = (hours && hours[code]) || []
    return { day, text: spans.length ? spans.map((s) => `${s[0]}-${s[1]}`).join('，') : '休息' }
  })
}

/** "2024-05-01T08:30:00+08:00" → "05-01 08:30" (the server sends Asia/Shanghai offsets). */
function shortTime(iso) {
  const m = /^\d{4}-(\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || '')
  return m ? `${m[1]} ${m[2]}` : iso || ''
}

function price(item) {
  const range =
    item.price_max != null && item.price_max !== item.price_min
      ? `${item.price_min}-${item.price_max}`
      : `${item.price_min}`
  return `${range} 元/${item.unit || '次'}`
}

module.exports = { SIX_ONES, DAYS, DEMAND_KINDS, APPLICATION_STATUS, distance, weekRows, shortTime, price }
