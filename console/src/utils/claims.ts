// Claims of listed outlets (认领) as the staff review them: labels, which decisions a claim allows, and the body of
// an approval (an outlet that has an owner changes hands only when staff say so: `transfer`).

export interface ClaimOutlet {
  id: number
  name: string
  address: string
  status: string
  phone: string | null
  owner_user_id: number | null
  circle_id: number | null
}

export interface Claim {
  id: number
  outlet_id: number
  outlet_name: string
  status: string
  dispute: string | null
  reason: string | null
  licence_no: string
  contact_name: string
  phone: string | null
  created_at: string
  decided_at: string | null
  claimant_user_id: number | null
  phone_matches_listing: boolean
  licence_url: string | null
  outlet: ClaimOutlet
  other_open_claims: number[]
  reviewer_user_id: number | null
}

export const CLAIM_STATUS: Record<string, string> = {
  pending: '待审核',
  disputed: '有争议',
  approved: '已通过',
  rejected: '已驳回',
  withdrawn: '已撤回',
  superseded: '已转给他人',
}

export const CLAIM_TAG: Record<string, '' | 'success' | 'warning' | 'info' | 'danger'> = {
  pending: '',
  disputed: 'danger',
  approved: 'success',
  rejected: 'info',
  withdrawn: 'info',
  superseded: 'warning',
}

export const CLAIM_ACTIONS: Record<string, string> = {
  claim_submitted: '提交认领',
  claim_disputed: '标记为有争议',
  claim_undisputed: '争议解除',
  claim_withdrawn: '申请人撤回',
  claim_approved: '认领通过',
  claim_rejected: '认领驳回',
  claim_superseded: '网点转给他人',
}

export function isOpen(claim: Pick<Claim, 'status'>): boolean {
  return claim.status === 'pending' || claim.status === 'disputed'
}

/** The outlet has a merchant other than the claimant: approving moves the outlet to the claimant. */
export function movesOwnership(claim: Pick<Claim, 'outlet' | 'claimant_user_id'>): boolean {
  const owner = claim.outlet.owner_user_id
  return owner !== null && owner !== claim.claimant_user_id
}

/** The approval's body: `transfer` only for an outlet that has another owner (confirmed by the reviewer). */
export function approvalBody(claim: Claim, note: string): { note: string | null; transfer: boolean } {
  return { note: note.trim() || null, transfer: movesOwnership(claim) }
}

/** What the reviewer checks, in words: the phone WeChat verified against the one the listing shows. */
export function phoneCheck(claim: Pick<Claim, 'phone' | 'phone_matches_listing' | 'outlet'>): { text: string; ok: boolean } {
  if (!claim.phone) return { text: '无（申请人已注销）', ok: false }
  if (claim.phone_matches_listing) return { text: `${claim.phone}（与网点登记电话一致）`, ok: true }
  const listed = claim.outlet.phone ? `网点登记为 ${claim.outlet.phone}` : '网点未登记电话'
  return { text: `${claim.phone}（${listed}，请电话核实）`, ok: false }
}
