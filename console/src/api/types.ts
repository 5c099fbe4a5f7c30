// Shapes of the API answers the console reads (the OpenAPI document at /api/openapi.json is the reference).

export interface Point {
  lat: number
  lng: number
}

export interface BusinessType {
  code: string
  name_zh: string
  tier: string
  group: string | null
  radius_m: number
  walk_minutes: number
  six_ones: string | null
}

export interface TimelineEvent {
  at: string
  action: string
  from_status: string | null
  to_status: string | null
  status_name: string | null
  note: string | null
  by: string
  public?: boolean
}

export interface ProjectRef {
  id: number
  title: string
  status: string
  status_name: string
  progress: number
}

export interface Demand {
  id: number
  kind: string
  kind_name: string
  business_type: string | null
  business_type_name: string | null
  outlet: { id: number; name: string } | null
  text: string
  address: string
  location: Point
  circle_id: number
  community_id: number | null
  status: string
  status_name: string
  priority: string
  priority_name: string
  support_count: number
  public_reply: string | null
  reject_reason: string | null
  merged_into_id: number | null
  project: ProjectRef | null
  created_at: string
  timeline?: TimelineEvent[]
  moderation?: string
  confirmation?: { answer: string | null; comment: string | null } | null
  distance_m?: number
  text_similarity?: number
  likely?: boolean
}

export interface Project {
  id: number
  circle_id: number
  title: string
  business_type: string | null
  business_type_name: string | null
  description: string | null
  address: string
  urgency: string
  urgency_name: string
  status: string
  status_name: string
  progress: number
  planned_start: string | null
  planned_end: string | null
  actual_start: string | null
  actual_end: string | null
  delayed: boolean
  demand_count: number
  created_at: string
}

export interface Community {
  id: number
  name: string
  population?: number | null
  boundary?: GeoJSON.Geometry
}

/** A circle as the staff's list of their circles shows it (GET /staff/circles). */
export interface CircleSummary {
  id: number
  name: string
  circle_type: string | null
  circle_type_name: string | null
  city: string
  city_id: number
  district: string | null
  street: string | null
  population: number | null
}

/** One circle with its boundary and communities (GET /circles/{id}). */
export interface CircleDetail extends Omit<CircleSummary, 'district' | 'street'> {
  boundary: GeoJSON.Geometry
  communities: Community[]
}

export const DEMAND_STATUSES: Record<string, string> = {
  submitted: '已提交',
  accepted: '已受理',
  in_progress: '处理中',
  reopened: '已重开',
  done: '已完成',
  rejected: '已驳回',
  merged: '已合并',
}

export const PRIORITIES: Record<string, string> = { urgent: '紧急', high: '较急', normal: '一般', low: '可缓' }

export const PROJECT_STATUSES: Record<string, string> = {
  planned: '计划中',
  in_progress: '建设中',
  done: '已完成',
  cancelled: '已取消',
}
