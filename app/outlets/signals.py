"""What the outlets domain tells others about changes the ORM session does not see (the census import's
set-based INSERT/UPDATE). Listeners (the evaluation's cache) are connected by the app factory; a sender never
knows who listens."""

from blinker import Namespace

_signals = Namespace()

# send(sender, circle_ids=[…]) before the import's commit: the circles outlets joined or left.
outlets_changed = _signals.signal("outlets.outlets-changed")
