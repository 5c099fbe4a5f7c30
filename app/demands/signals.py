"""What the demands domain tells others about changes the ORM session does not see (the one-statement "me too",
a need filed by one Core statement).
Listeners (the evaluation's cache) are connected by the app factory; a sender never knows who listens."""

from blinker import Namespace

_signals = Namespace()

# send(sender, circle_ids=[…]) before the use case's commit: the circles whose needs' support counts changed;
# or, after a one-statement "me too" that bumped their evaluation versions itself, with bumped=True.
supports_changed = _signals.signal("demands.supports-changed")

# send(sender, circle_ids=[…], drop=False) inside the use case, before its commit: needs were filed in these
# circles (their versions are bumped at the commit; their old cached entries are not dropped after it).
needs_filed = _signals.signal("demands.needs-filed")
