import { describe, expect, it } from 'vitest'
import { ageLabel, circleTypeLabel, distanceLabel, formatDateTime, gradeLabel, percent, roleLabel, starsLabel } from './format'
import { evidenceIds, evidenceText } from './evaluation'
import { nextDemandStatuses } from './demands'

describe('formatting in Chinese', () => {
  it('names roles, grades and types', () => {
    expect(roleLabel(['staff'])).toBe('社区工作人员')
    expect(roleLabel(['resident', 'admin'])).toBe('管理员')
    expect(roleLabel(['bureau'])).toBe('商务局')
    expect(gradeLabel('good')).toBe('良好')
    expect(gradeLabel(null)).toBe('未评定')
    expect(circleTypeLabel('improved')).toBe('提升型')
    expect(circleTypeLabel(undefined)).toBe('未定级')
  })

  it('formats times in the office zone', () => {
    expect(formatDateTime('2026-12-01T08:05:00+08:00')).toBe('2026-12-01 08:05')
    expect(formatDateTime(null)).toBe('—')
    expect(formatDateTime('garbage')).toBe('—')
    const now = new Date('2026-12-01T12:00:00+08:00')
    expect(ageLabel('2026-12-01T11:59:30+08:00', now)).toBe('刚刚')
    expect(ageLabel('2026-12-01T11:15:00+08:00', now)).toBe('45 分钟前')
    expect(ageLabel('2026-12-01T07:00:00+08:00', now)).toBe('5 小时前')
    expect(ageLabel('2026-11-20T12:00:00+08:00', now)).toBe('11 天前')
  })

  it('formats distances, stars and shares', () => {
    expect(distanceLabel(86.4)).toBe('86 米')
    expect(distanceLabel(1234)).toBe('1.2 公里')
    expect(distanceLabel(null)).toBe('—')
    expect(starsLabel(3)).toBe('★★★☆☆')
    expect(starsLabel(0)).toBe('未评星')
    expect(starsLabel(9)).toBe('★★★★★')
    expect(percent(0.3126, 1)).toBe('31.3%')
    expect(percent(null)).toBe('—')
  })

  it('says evidence in words and picks the outlets to name', () => {
    expect(evidenceText({ needs: 3, accepted: 2, sample_valid: false, satisfied_share: 0.8958 })).toBe(
      '需求 3；已受理 2；样本有效 否；满意度 89.6%',
    )
    expect(evidenceText({ period: { title: '2026 年调查' }, unknown_key: [] })).toBe('period 2026 年调查；unknown_key 无')
    const ids = evidenceIds({ basic: { evidence: { a: [1, 2, 3], b: [3, 4] } }, quality: { evidence: { c: [5] } } }, 2)
    expect(ids).toEqual([1, 2, 3, 4, 5])
  })

  it('offers only the moves the server accepts', () => {
    expect(nextDemandStatuses('submitted')).toContain('accepted')
    expect(nextDemandStatuses('merged')).toEqual([])
    expect(nextDemandStatuses('nonsense')).toEqual([])
  })
})
