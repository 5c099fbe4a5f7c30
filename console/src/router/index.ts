import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSession } from '@/stores/session'
import { onUnauthorized } from '@/api/http'
import { checkRoute, type RouteAccess } from '@/utils/permission'

declare module 'vue-router' {
  interface RouteMeta extends RouteAccess {
    title?: string
    public?: boolean
  }
}

/** A page of one circle, /circles/:circleId/<name>: reachable only for the circles the user manages. */
function circlePage(name: string, title: string, component: RouteComponentLoader): RouteRecordRaw {
  return { path: `circles/:circleId/${name}`, name, component, meta: { title, circleParam: 'circleId' } }
}
type RouteComponentLoader = Extract<RouteRecordRaw, { component: unknown }>['component']

// Every page is its own chunk: the first load carries only the shell and the page asked for.
export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('@/layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'overview', component: () => import('@/views/OverviewView.vue'), meta: { title: '总览' } },
      circlePage('needs', '需求清单', () => import('@/views/NeedsView.vue')),
      circlePage('projects', '项目清单', () => import('@/views/ProjectsView.vue')),
      circlePage('map', '一图', () => import('@/views/MapView.vue')),
      circlePage('evaluation', '评价', () => import('@/views/EvaluationView.vue')),
      circlePage('surveys', '满意度调查与活动', () => import('@/views/SurveysView.vue')),
      {
        path: 'accounts',
        name: 'accounts',
        component: () => import('@/views/AccountsView.vue'),
        meta: { title: '账号管理', roles: ['bureau', 'admin'] },
      },
      {
        path: 'city-settings',
        name: 'city-settings',
        component: () => import('@/views/CitySettingsView.vue'),
        meta: { title: '城市设置', roles: ['bureau', 'admin'] },
      },
      {
        path: 'applications',
        name: 'applications',
        component: () => import('@/views/ApplicationsView.vue'),
        meta: { title: '入驻与认领审核' },
      },
      circlePage('outlets', '网点普查', () => import('@/views/OutletsView.vue')),
      { path: 'no-access', name: 'no-access', component: () => import('@/views/NoAccessView.vue'), meta: { title: '无权访问' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('@/views/NoAccessView.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export function createConsoleRouter() {
  const router = createRouter({ history: createWebHistory('/console/'), routes })
  router.beforeEach(async (to) => {
    const session = useSession()
    await session.restore()
    if (to.meta.public) return session.user && to.name === 'login' ? { name: 'overview' } : true
    const verdict = checkRoute(session.user, to.meta, to.params as Record<string, string>, session.managedCircleIds)
    if (verdict === 'login') return { name: 'login', query: { next: to.fullPath } }
    if (verdict === 'no-access') return { name: 'no-access', query: { from: to.fullPath } }
    return true
  })
  router.afterEach((to) => {
    document.title = `${to.meta.title ? `${to.meta.title} · ` : ''}一刻钟便民生活圈工作台`
  })
  onUnauthorized(() => {
    const session = useSession()
    session.forget()
    if (router.currentRoute.value.name !== 'login')
      router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath, expired: '1' } })
  })
  return router
}
