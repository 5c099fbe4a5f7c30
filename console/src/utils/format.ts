// Display helpers in Chinese; all pure, tested by vitest.

const ROLE_NAMES: Record<string, string> = {
  admin: '管理员',
  bureau: '商务局',
  staff: '社区工作人员',
  merchant: '商户',
  resident: '居民',
}

export function roleLabel(roles: string[]): string {
  for (const role of ['admin', 'bureau', 'staff', 'merchant', 'resident'])
    if (roles.includes(role)) return ROLE_NAMES[role]
  return '—'
}

// The circles are in China: times show in Asia/Shanghai whatever the browser's zone.
const PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** 2026-12-01T08:30:00+08:00 → 2026-12-01 08:30 (Asia/Shanghai). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return '—'
  const p = Object.fromEntries(PARTS.formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

export function formatDate(value: string | null | undefined): string {
  return value ? formatDateTime(value).slice(0, 10) : '—'
}

/** Age of a record in Chinese: 刚刚 / 5 分钟前 / 3 小时前 / 12 天前. */
export function ageLabel(value: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(value).getTime()) / 1000)
  if (seconds < 60) return '刚刚'
  if (seconds < 3600) return `${Math.floor(seconds / 60)} 分钟前`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} 小时前`
  return `${Math.floor(seconds / 86400)} 天前`
}

export function distanceLabel(metres: number | null | undefined): string {
  if (metres === null || metres === undefined || Number.isNaN(metres)) return '—'
  return metres < 1000 ? `${Math.round(metres)} 米` : `${(metres / 1000).toFixed(1)} 公里`
}

export function starsLabel(stars: number | null | undefined): string {
  const n = Math.max(0, Math.min(5, Math.round(stars || 0)))
  return n ? '★'.repeat(n) + '☆'.repeat(5 - n) : '未评星'
}

export function percent(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  return `${(value * 100).toFixed(digits)}%`
}

const GRADES: Record<string, string> = { excellent: '优秀', good: '良好', pass: '合格', fail: '不合格' }
const TYPES: Record<string, string> = { quality: '品质型', improved: '提升型', basic: '基础型' }

export function gradeLabel(grade: string | null | undefined) {
  return (grade && GRADES[grade]) || '未评定'
}

export function circleTypeLabel(type: string | null | undefined) {
  return (type && TYPES[type]) || '未定级'
}
