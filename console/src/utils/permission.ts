// Who may see what in the console. The server decides (every call is checked there); these checks only keep
// the menu honest and send an out-of-scope URL to the "no access" page without a round trip.

export type Role = 'resident' | 'merchant' | 'staff' | 'bureau' | 'admin'

export interface SessionUser {
  id: number
  username: string | null
  display_name: string | null
  roles: string[]
  scope_circle_ids: number[]
}

/** Roles that may use the console at all. */
export const CONSOLE_ROLES: Role[] = ['staff', 'bureau', 'admin']

export function hasRole(user: SessionUser | null, ...roles: string[]) {
  return !!user && user.roles.some((r) => roles.includes(r))
}

export function canUseConsole(user: SessionUser | null) {
  return hasRole(user, ...CONSOLE_ROLES)
}

/**
 * May this user open pages of circle `circleId`? Admins everywhere; staff only their circles; the bureau
 * works on its cities' circles, which the server knows (its list of managed circles is passed in).
 */
export function canSeeCircle(user: SessionUser | null, circleId: number, managedCircleIds?: number[]) {
  if (!user || !Number.isInteger(circleId) || circleId <= 0) return false
  if (hasRole(user, 'admin')) return true
  if (managedCircleIds && managedCircleIds.includes(circleId)) return true
  return hasRole(user, 'staff') && user.scope_circle_ids.includes(circleId)
}

export interface RouteAccess {
  roles?: string[]
  circleParam?: string
}

export type AccessVerdict = 'ok' | 'login' | 'no-access'

/** The router's guard, as a pure function: where a user asking for a route ends up. */
export function checkRoute(
  user: SessionUser | null,
  access: RouteAccess,
  params: Record<string, string | string[] | undefined>,
  managedCircleIds?: number[],
): AccessVerdict {
  if (!user) return 'login'
  if (!canUseConsole(user)) return 'no-access'
  if (access.roles && access.roles.length && !hasRole(user, ...access.roles)) return 'no-access'
  if (access.circleParam) {
    const raw = params[access.circleParam]
    const id = Number(Array.isArray(raw) ? raw[0] : raw)
    if (!canSeeCircle(user, id, managedCircleIds)) return 'no-access'
  }
  return 'ok'
}
