// The needs' state machine as the server has it (app/demands/states.py NEED_TRANSITIONS, staff moves; merging
// is its own action): the console offers only these; the server still decides (409 invalid_transition).
export const DEMAND_TRANSITIONS: Record<string, string[]> = {
  submitted: ['accepted', 'rejected'],
  accepted: ['in_progress', 'done', 'rejected'],
  in_progress: ['accepted', 'done', 'rejected'],
  reopened: ['accepted', 'in_progress', 'done', 'rejected'],
  done: ['reopened', 'in_progress'],
  rejected: ['accepted'],
  merged: [],
}

export function nextDemandStatuses(status: string): string[] {
  return DEMAND_TRANSITIONS[status] || []
}

/** Needs that may be linked to a project (the server refuses others with "请先受理需求"). */
export function linkable(status: string) {
  return ['accepted', 'in_progress', 'reopened', 'done'].includes(status)
}
