import { describe, expect, it } from 'vitest'
import { approvalBody, isOpen, movesOwnership, phoneCheck, type Claim } from './claims'

function claim(overrides: Partial<Claim> = {}): Claim {
  return {
    id: 7,
    outlet_id: 3,
    outlet_name: '老街坊便利店',
    status: 'pending',
    dispute: null,
    reason: null,
    licence_no: '91110228MA01CLAIM1',
    contact_name: '王老板',
    phone: '13911112222',
    created_at: '2026-12-01T08:00:00Z',
    decided_at: null,
    claimant_user_id: 42,
    phone_matches_listing: false,
    licence_url: '/api/v1/uploads/x/file?token=t',
    outlet: { id: 3, name: '老街坊便利店', address: '鼓楼东大街 12 号', status: 'approved', phone: '010-69041234', owner_user_id: null, circle_id: 1 },
    other_open_claims: [],
    reviewer_user_id: null,
    ...overrides,
  }
}

describe('claims as staff review them', () => {
  it('decides only open claims', () => {
    expect(isOpen(claim())).toBe(true)
    expect(isOpen(claim({ status: 'disputed' }))).toBe(true)
    for (const status of ['approved', 'rejected', 'withdrawn', 'superseded']) expect(isOpen(claim({ status }))).toBe(false)
  })

  it('transfers the outlet only when another merchant owns it', () => {
    expect(movesOwnership(claim())).toBe(false)
    const owned = claim({ status: 'disputed', outlet: { ...claim().outlet, owner_user_id: 9 } })
    expect(movesOwnership(owned)).toBe(true)
    expect(approvalBody(owned, '  原商户已转让 ')).toEqual({ note: '原商户已转让', transfer: true })
    expect(approvalBody(claim(), '')).toEqual({ note: null, transfer: false })
    expect(movesOwnership(claim({ outlet: { ...claim().outlet, owner_user_id: 42 } }))).toBe(false)
  })

  it('says how the verified phone compares with the listing', () => {
    expect(phoneCheck(claim({ phone_matches_listing: true }))).toEqual({ text: '13911112222（与网点登记电话一致）', ok: true })
    expect(phoneCheck(claim())).toEqual({ text: '13911112222（网点登记为 010-69041234，请电话核实）', ok: false })
    expect(phoneCheck(claim({ outlet: { ...claim().outlet, phone: null } })).text).toContain('网点未登记电话')
    expect(phoneCheck(claim({ phone: null })).ok).toBe(false)
  })
})
