import { ref, type Ref } from 'vue'
import { ElMessage } from 'element-plus'
import { http, type Page, type Query } from '@/api/http'
import { usePagedList } from '@/composables/usePagedList'
import { toastError } from '@/utils/feedback'

export interface AuditEntry {
  id: number
  created_at: string
  action: string
  reason: string | null
}

/**
 * A review queue of the staff (merchant applications, claims of listed outlets), `/staff/<queue>`: the list by
 * `status`, one item open with its audit trail (`/staff/audit?<subject>_id=`), and decisions
 * (`POST /staff/<queue>/<id>/<decision>`) after which both the item and the list are shown afresh.
 * Shown by <ReviewPanel :review="…">.
 */
export function useReview<T extends { id: number }>(
  queue: 'applications' | 'claims',
  subject: 'application_id' | 'claim_id',
  options: { status: string; detailQuery?: () => Query; opened?: () => unknown },
) {
  const status = ref(options.status)
  const list = usePagedList<T>((page, pageSize) => http.get<Page<T>>(`/staff/${queue}`, { status: status.value, page, page_size: pageSize }))
  const current = ref() as Ref<T | undefined>
  const audit = ref<AuditEntry[]>([])
  const busy = ref(false)

  async function open(row: { id: number }) {
    const [detail, log] = await Promise.all([
      http.get<T>(`/staff/${queue}/${row.id}`, options.detailQuery?.()),
      http.get<Page<AuditEntry>>('/staff/audit', { [subject]: row.id }),
    ])
    current.value = detail
    audit.value = log.items
    await options.opened?.()
  }

  /** Sends a decision on the open item; `done` is the toast when it went through. */
  async function decide(decision: string, body: Record<string, unknown>, done: string) {
    const item = current.value
    if (!item) return
    busy.value = true
    try {
      await http.post(`/staff/${queue}/${item.id}/${decision}`, body)
      ElMessage.success(done)
      await Promise.all([open(item), list.reload()])
    } catch (e) {
      toastError(e, '操作失败')
    } finally {
      busy.value = false
    }
  }

  return { status, list, current, audit, busy, open, decide }
}

export type Review<T extends { id: number }> = ReturnType<typeof useReview<T>>
