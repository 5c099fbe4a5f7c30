import { describe, expect, it } from 'vitest'
import { canSeeCircle, checkRoute, type SessionUser } from './permission'
import { routes } from '@/router'

const user = (roles: string[], scope: number[] = []): SessionUser => ({
  id: 1,
  username: 'u',
  display_name: null,
  roles,
  scope_circle_ids: scope,
})

describe('permission checks in the router', () => {
  it('sends the signed-out to the sign-in page and residents to no access', () => {
    expect(checkRoute(null, {}, {})).toBe('login')
    expect(checkRoute(user(['resident']), {}, {})).toBe('no-access')
    expect(checkRoute(user(['merchant']), {}, {})).toBe('no-access')
    expect(checkRoute(user(['staff'], [3]), {}, {})).toBe('ok')
  })

  it('keeps staff inside their circles', () => {
    const staff = user(['staff'], [3, 7])
    expect(checkRoute(staff, { circleParam: 'circleId' }, { circleId: '7' })).toBe('ok')
    expect(checkRoute(staff, { circleParam: 'circleId' }, { circleId: '8' })).toBe('no-access')
    expect(checkRoute(staff, { circleParam: 'circleId' }, { circleId: 'abc' })).toBe('no-access')
    expect(checkRoute(staff, { circleParam: 'circleId' }, { circleId: '-3' })).toBe('no-access')
    expect(canSeeCircle(staff, 3.5)).toBe(false)
  })

  it('lets admins anywhere and the bureau where the server lists its circles', () => {
    expect(checkRoute(user(['admin']), { circleParam: 'circleId' }, { circleId: '99' })).toBe('ok')
    const bureau = user(['bureau'])
    expect(checkRoute(bureau, { circleParam: 'circleId' }, { circleId: '12' }, [11, 12])).toBe('ok')
    expect(checkRoute(bureau, { circleParam: 'circleId' }, { circleId: '13' }, [11, 12])).toBe('no-access')
  })

  it('checks role-restricted routes', () => {
    expect(checkRoute(user(['staff'], [1]), { roles: ['bureau', 'admin'] }, {})).toBe('no-access')
    expect(checkRoute(user(['bureau']), { roles: ['bureau', 'admin'] }, {})).toBe('ok')
  })

  it('declares the circle parameter on every circle page', () => {
    const children = routes.flatMap((r) => r.children || [])
    const circlePages = children.filter((r) => String(r.path).startsWith('circles/:circleId'))
    expect(circlePages.length).toBeGreaterThanOrEqual(5)
    for (const page of circlePages) expect(page.meta?.circleParam).toBe('circleId')
  })
})
