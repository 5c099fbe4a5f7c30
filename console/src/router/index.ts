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

// Every page is its own chunk: the first load carries only the shell and the page asked for.
export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: () => import('@/layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'overview', component: () => import('@/views/OverviewView.vue'), meta: { title: '总览' } },
      {
        path: 'circles/:circleId/needs',
        name: 'needs',
        component: () => import('@/views/NeedsView.vue'),
        meta: { title: '需求清单', circleParam: 'circleId' },
      },
      {
        path: 'circles/:circleId/projects',
        name: 'projects',
        component: () => import('@/views/ProjectsView.vue'),
        meta: { title: '项目清单', circleParam: 'circleId' },
      },
      {
        path: 'circles/:circleId/map',
        name: 'map',
        component: () => import('@/views/MapView.vue'),
        meta: { title: '一图', circleParam: 'circleId' },
      },
      {
        path: 'circles/:circleId/evaluation',
        name: 'evaluation',
        component: () => import('@/views/EvaluationView.vue'),
        meta: { title: '评价', circleParam: 'circleId' },
      },
      {
        path: 'circles/:circleId/surveys',
        name: 'surveys',
        component: () => import('@/views/SurveysView.vue'),
        meta: { title: '满意度调查与活动', circleParam: 'circleId' },
      },
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
      {
        path: 'circles/:circleId/outlets',
        name: 'outlets',
        component: () => import('@/views/OutletsView.vue'),
        meta: { title: '网点普查', circleParam: 'circleId' },
      },
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
