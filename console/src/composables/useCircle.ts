import { ref } from 'vue'
import { useRoute } from 'vue-router'
import type { CircleDetail } from '@/api/types'
import { useTaxonomy } from '@/stores/taxonomy'

/**
 * The circle a page of /circles/:circleId/… is about (the router lets only its managers in): its id from the route,
 * and after `loadCircle()` its details (name, communities) with the business types the page's filters and labels
 * need, both from the session's taxonomy store (fetched once).
 */
export function useCircle() {
  const route = useRoute()
  const taxonomy = useTaxonomy()
  const circleId = Number(route.params.circleId)
  const circle = ref<CircleDetail>()

  async function loadCircle() {
    ;[circle.value] = await Promise.all([taxonomy.circle(circleId), taxonomy.loadTypes()])
  }

  return { circleId, circle, taxonomy, loadCircle }
}
