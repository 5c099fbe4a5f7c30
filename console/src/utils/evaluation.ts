// Helpers for the evaluation page: which evidence outlets to name, and evidence dicts in words.

interface Presence {
  basic: { evidence: Record<string, number[]> }
  quality: { evidence: Record<string, number[]> }
}

/** The first `perType` evidence outlet ids of every type (the page names those), without repeats. */
export function evidenceIds(presence: Presence, perType = 6): number[] {
  const ids = new Set<number>()
  for (const group of [presence.basic.evidence, presence.quality.evidence])
    for (const list of Object.values(group || {})) for (const id of (list || []).slice(0, perType)) ids.add(id)
  return [...ids]
}

const KEY_NAMES: Record<string, string> = {
  needs: '需求',
  accepted: '已受理',
  linked: '已关联项目',
  projects: '项目',
  projects_done: '已完成项目',
  satisfied: '满意清单',
  responses: '答卷',
  population: '服务人口',
  sample_needed: '所需样本',
  satisfied_share: '满意度',
  sample_share: '样本比例',
  sample_valid: '样本有效',
  events: '活动',
  year: '年度',
  message: '说明',
  chain_rate: '连锁化率',
  online_rate: '线上率',
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (typeof value === 'number') return value > 0 && value < 1 && !Number.isInteger(value) ? `${(value * 100).toFixed(1)}%` : String(value)
  if (Array.isArray(value)) return value.length ? value.map(valueText).join('、') : '无'
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>
    return typeof o.title === 'string' ? o.title : typeof o.name === 'string' ? o.name : JSON.stringify(o)
  }
  return String(value)
}

/** {needs: 3, accepted: 2, message: "…"} → "需求 3；已受理 2；说明 …" (unknown keys kept as they are). */
export function evidenceText(evidence: Record<string, unknown> | null | undefined): string {
  if (!evidence) return ''
  return Object.entries(evidence)
    .map(([key, value]) => `${KEY_NAMES[key] || key} ${valueText(value)}`)
    .join('；')
}
