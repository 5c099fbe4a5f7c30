import { reactive, ref, type Ref } from 'vue'
import type { Page } from '@/api/http'
import { toastError } from '@/utils/feedback'

/**
 * A list shown a page at a time under an el-pagination: `fetch` asks the API for one page (the page's filters are
 * its own business); `reload(p)` shows page p (the current one by default), a failure in a toast. A reactive
 * object: `list.rows`, `list.total`, `list.loading`, `list.reload(1)`; `list.pageSize` may change.
 */
export function usePagedList<T>(fetch: (page: number, pageSize: number) => Promise<Page<T>>, pageSize = 20) {
  const rows = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const size = ref(pageSize)
  const loading = ref(false)

  async function reload(p = page.value) {
    loading.value = true
    try {
      const answer = await fetch(p, size.value)
      rows.value = answer.items
      total.value = answer.total ?? answer.items.length
      page.value = p
    } catch (e) {
      toastError(e, '加载失败')
    } finally {
      loading.value = false
    }
  }

  return reactive({ rows, total, page, pageSize: size, loading, reload })
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>
