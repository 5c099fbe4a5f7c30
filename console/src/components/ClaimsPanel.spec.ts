// @vitest-environment jsdom
// The claims tab against a small in-memory stand-in for the API (fetch is the console's only way out): the open
// claims listed disputed first, the evidence shown, an approval sent with the body the API expects.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import ClaimsPanel from './ClaimsPanel.vue'
import type { Claim } from '@/utils/claims'

const outlet = { id: 3, name: '老街坊便利店', address: '鼓楼东大街 12 号', status: 'approved', phone: '13911112222', owner_user_id: null, circle_id: 1 }
const claims: Claim[] = [
  {
    id: 8, outlet_id: 3, outlet_name: '老街坊便利店', status: 'disputed', dispute: '同一网点另有认领申请', reason: null,
    licence_no: '91110228MA01CLAIM1', contact_name: '王老板', phone: '13911112222', created_at: '2026-12-01T08:00:00Z',
    decided_at: null, claimant_user_id: 42, phone_matches_listing: true, licence_url: '/api/v1/uploads/a/file?token=t',
    outlet, other_open_claims: [9], reviewer_user_id: null,
  },
  {
    id: 9, outlet_id: 3, outlet_name: '老街坊便利店', status: 'disputed', dispute: '同一网点另有认领申请', reason: null,
    licence_no: '91110228MA01OTHER2', contact_name: '李女士', phone: '13700000000', created_at: '2026-12-01T09:00:00Z',
    decided_at: null, claimant_user_id: 43, phone_matches_listing: false, licence_url: null,
    outlet, other_open_claims: [8], reviewer_user_id: null,
  },
]

function fakeApi() {
  const calls: { method: string; url: string; body: unknown }[] = []
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method || 'GET'
      calls.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined })
      const path = new URL(url, 'http://console.test').pathname
      if (path === '/api/v1/staff/claims') return json({ items: claims, page: 1, page_size: 20, has_more: false, total: 2 })
      if (path === '/api/v1/staff/claims/8') return json(claims[0])
      if (path === '/api/v1/staff/audit') return json({ items: [{ id: 1, created_at: '2026-12-01T08:00:00Z', action: 'claim_disputed', reason: '同一网点另有认领申请' }], page: 1, page_size: 20, has_more: false })
      if (path === '/api/v1/staff/claims/8/approve') {
        claims[0] = { ...claims[0], status: 'approved', dispute: '同一网点另有认领申请' }
        return json(claims[0])
      }
      return json({ error: { code: 'not_found', message: '资源不存在', details: {} } }, 404)
    }),
  )
  return calls
}

describe('the claims tab', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('lists open claims, shows the evidence and approves with the body the API expects', async () => {
    const calls = fakeApi()
    const panel = mount(ClaimsPanel, { global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    expect(calls[0].url).toBe('/api/v1/staff/claims?status=open&page=1&page_size=20')
    const rows = panel.findAll('[data-test=claims] .el-table__row')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('有争议')

    await rows[0].trigger('click')
    await flushPromises()
    const detail = panel.find('[data-test=claim-detail]')
    expect(detail.find('[data-test=claim-dispute]').text()).toContain('同一网点另有认领申请')
    expect(detail.find('[data-test=claim-phone]').text()).toBe('13911112222（与网点登记电话一致）')
    expect(detail.find('[data-test=claim-licence]').attributes('href')).toBe('/api/v1/uploads/a/file?token=t')
    expect(detail.text()).toContain('#9')
    expect(detail.find('[data-test=claim-audit]').text()).toContain('标记为有争议')
    expect(calls.some((c) => c.url === '/api/v1/staff/audit?claim_id=8')).toBe(true)

    await detail.find('[data-test=claim-approve]').trigger('click')
    await flushPromises()
    const approval = calls.find((c) => c.method === 'POST')
    expect(approval).toEqual({ method: 'POST', url: '/api/v1/staff/claims/8/approve', body: { note: null, transfer: false } })
    expect(panel.find('[data-test=claim-detail] .el-tag').text()).toBe('已通过')
    expect(panel.find('[data-test=claim-approve]').exists()).toBe(false)
    panel.unmount()
  })
})
