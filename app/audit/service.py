"""Writing the audit trail: one row per decision or change, in the use case's own transaction."""

from app.audit.models import AuditEntry
from app.common.extensions import db

# What an entry may be about (AuditEntry's reference columns); each is also a filter of the trail.
SUBJECTS = ("outlet_id", "application_id", "claim_id", "circle_id", "subject_user_id", "city_id")


def record(actor, action: str, *, reason=None, before=None, after=None, **about):
    """One entry: `about` names what it concerns (keys of SUBJECTS: outlet_id=…, claim_id=…)."""
    unknown = set(about) - set(SUBJECTS)
    if unknown:
        raise TypeError(f"audit entries are not about {sorted(unknown)}")
    entry = AuditEntry(
        actor_user_id=actor.id if actor is not None else None,
        action=action,
        reason=reason,
        before=before,
        after=after,
        **about,
    )
    db.session.add(entry)
    return entry
