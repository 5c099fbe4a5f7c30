"""The need and project state machines, in one place: which moves exist and who may make each.

Each table maps (from, to) to the set of actors allowed to make that move:
- "staff": a staff member, bureau or admin deciding in scope (triage, project edits);
- "project": the system moving a linked need along with its project;
- "resident": a person attached to the need answering "is it solved?" ("no" reopens a done need).

`transition()` is the only way a status changes: it refuses any other move with 409 `invalid_transition`
and the allowed next states in `error.details`, so callers (and anyone wrapping them with row locks or
conditional updates) never re-implement the rules.
"""

from app.common.errors import Conflict
from app.demands.models import DEMAND_STATUSES, PROJECT_STATUSES

STAFF, PROJECT, RESIDENT = "staff", "project", "resident"

NEED_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # Triage of a new need: into the needs list, refused, or folded into an existing need.
    ("submitted", "accepted"): frozenset({STAFF}),
    ("submitted", "rejected"): frozenset({STAFF}),
    ("submitted", "merged"): frozenset({STAFF}),
    # In the needs list: work starts (by hand or because the linked project started), or it is done.
    ("accepted", "in_progress"): frozenset({STAFF, PROJECT}),
    ("accepted", "done"): frozenset({STAFF, PROJECT}),
    ("accepted", "rejected"): frozenset({STAFF}),
    ("accepted", "merged"): frozenset({STAFF}),
    ("in_progress", "accepted"): frozenset({STAFF}),
    ("in_progress", "done"): frozenset({STAFF, PROJECT}),
    ("in_progress", "rejected"): frozenset({STAFF}),
    ("in_progress", "merged"): frozenset({STAFF}),
    # Someone said "not solved": staff take it up again.
    ("reopened", "accepted"): frozenset({STAFF}),
    ("reopened", "in_progress"): frozenset({STAFF, PROJECT}),
    ("reopened", "done"): frozenset({STAFF, PROJECT}),
    ("reopened", "rejected"): frozenset({STAFF}),
    ("reopened", "merged"): frozenset({STAFF}),
    # Done: the submitter answers "no", or staff find it is not finished after all.
    ("done", "reopened"): frozenset({STAFF, RESIDENT}),
    ("done", "in_progress"): frozenset({STAFF}),
    # A refusal can be reconsidered.
    ("rejected", "accepted"): frozenset({STAFF}),
}

PROJECT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("planned", "in_progress"): frozenset({STAFF}),
    ("planned", "cancelled"): frozenset({STAFF}),
    ("planned", "done"): frozenset({STAFF}),  # a small fix finished before anyone recorded its start
    ("in_progress", "done"): frozenset({STAFF}),
    ("in_progress", "planned"): frozenset({STAFF}),
    ("in_progress", "cancelled"): frozenset({STAFF}),
    ("done", "in_progress"): frozenset({STAFF}),
    ("cancelled", "planned"): frozenset({STAFF}),
}

_MACHINES = {
    "demand": (NEED_TRANSITIONS, DEMAND_STATUSES, "需求"),
    "project": (PROJECT_TRANSITIONS, PROJECT_STATUSES, "项目"),
}


def allowed_next(machine: str, status: str, actor: str = STAFF) -> list[str]:
    """The states `actor` may move a `machine` ("demand" | "project") to from `status`, in declaration order."""
    table, names, _ = _MACHINES[machine]
    return [to for to in names if actor in table.get((status, to), ())]


def can(machine: str, old: str, new: str, actor: str = STAFF) -> bool:
    table, _, _ = _MACHINES[machine]
    return actor in table.get((old, new), ())


def check(machine: str, old: str, new: str, actor: str = STAFF) -> None:
    """Raises 409 invalid_transition (details: from, to, allowed) unless `actor` may move `old` → `new`."""
    if old == new or can(machine, old, new, actor):
        return
    _, names, noun = _MACHINES[machine]
    allowed = allowed_next(machine, old, actor)
    hint = "、".join(names[s] for s in allowed) if allowed else "无"
    raise Conflict(
        f"{noun}不能从「{names[old]}」改为「{names[new]}」；可改为：{hint}",
        code="invalid_transition",
        details={"from": old, "to": new, "allowed": allowed},
    )


def transition(machine: str, record, new: str, actor: str = STAFF) -> str | None:
    """Checks the move and sets `record.status`; returns the old status, or None when nothing changed."""
    old = record.status
    if old == new:
        return None
    check(machine, old, new, actor)
    record.status = new
    return old
