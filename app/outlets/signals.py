"""What the outlets domain tells others about changes the ORM session does not see (the census import's
set-based INSERT/UPDATE). Listeners (the evaluation's cache) are connected by the app factory; a sender never
knows who listens."""

from blinker import Namespace

_signals = Namespace()

# Before the import's commit: send(sender, outlet_ids=[…], circle_ids=[…]), the outlets it wrote (where they stand
# now) and the circles they stood in before; or send(sender, every_circle=True) when it wrote too many to name.
outlets_changed = _signals.signal("outlets.outlets-changed")
