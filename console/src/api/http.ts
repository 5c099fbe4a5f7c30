// The one way the console talks to the API: same origin, the session in an HttpOnly cookie the script never
// sees, and the double-submit CSRF token (readable cookie console_csrf) echoed on every write.

export interface ErrorEnvelope {
  code: string
  message: string
  details: Record<string, unknown>
}

export class ApiError extends Error {
  status: number
  code: string
  details: Record<string, unknown>
  constructor(status: number, envelope: ErrorEnvelope) {
    super(envelope.message)
    this.status = status
    this.code = envelope.code
    this.details = envelope.details || {}
  }
  /** Field → first message, for el-form's per-field errors (422 details are field → list of messages). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [field, messages] of Object.entries(this.details)) {
      if (Array.isArray(messages) && messages.length) out[field] = String(messages[0])
      else if (typeof messages === 'string') out[field] = messages
      else if (messages && typeof messages === 'object') {
        // nested (e.g. location.lat): flatten one level
        for (const [inner, m] of Object.entries(messages as Record<string, unknown>))
          if (Array.isArray(m) && m.length) out[`${field}.${inner}`] = String(m[0])
      }
    }
    return out
  }
}

export const API_BASE = '/api/v1'
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function readCookie(name: string, cookies: string = typeof document === 'undefined' ? '' : document.cookie) {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

export type Query = Record<string, string | number | boolean | null | undefined | (string | number)[]>

export function buildQuery(query?: Query): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(','))
    } else params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

type Listener = (error: ApiError) => void
const unauthorizedListeners: Listener[] = []
/** Called on 401 (session gone): the router sends the user to the sign-in page. */
export function onUnauthorized(listener: Listener) {
  unauthorizedListeners.push(listener)
}

export async function request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}) {
  const headers: Record<string, string> = { Accept: 'application/json' }
  let body: BodyInit | undefined
  if (options.body instanceof FormData) body = options.body
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  if (WRITE_METHODS.has(method)) {
    const csrf = readCookie('console_csrf')
    if (csrf) headers['X-CSRF-TOKEN'] = csrf
  }
  let response: Response
  try {
    response = await fetch(`${API_BASE}${path}${buildQuery(options.query)}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, { code: 'network_error', message: '网络连接失败，请检查网络后重试', details: {} })
  }
  if (response.status === 204) return undefined as T
  const type = response.headers.get('Content-Type') || ''
  const payload = type.includes('json') ? await response.json() : null
  if (!response.ok) {
    const envelope: ErrorEnvelope = payload?.error || {
      code: 'http_error',
      message: `服务暂时不可用（${response.status}）`,
      details: {},
    }
    const error = new ApiError(response.status, envelope)
    if (response.status === 401 && !path.startsWith('/auth/')) unauthorizedListeners.forEach((l) => l(error))
    throw error
  }
  return payload as T
}

export const http = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown, query?: Query) => request<T>('POST', path, { body, query }),
  patch: <T>(path: string, body?: unknown, query?: Query) => request<T>('PATCH', path, { body, query }),
  del: <T>(path: string) => request<T>('DELETE', path),
}

export interface Page<T> {
  items: T[]
  page: number
  page_size: number
  has_more: boolean
  total?: number | null
}

/** Downloads a file the API serves (Excel ledgers) with the session cookie, under the server's file name. */
export function downloadUrl(path: string, query?: Query) {
  return `${API_BASE}${path}${buildQuery(query)}`
}
