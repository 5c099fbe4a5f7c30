"""Signals a lower layer sends about data it changed without the ORM seeing it (set-based SQL), for the layers
above to act on in the same transaction: the outlets' bulk import tells which circles' outlets changed, and the
evaluation (which may import outlets, never the other way round) marks their cached results stale."""

from blinker import Namespace

_signals = Namespace()

# sender: the SQLAlchemy session; circle_ids: the circles whose outlets were inserted, moved or changed.
circles_changed = _signals.signal("circles-changed")
