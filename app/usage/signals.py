"""What the usage domain tells others: residents' platform uses recorded by a core INSERT (the session does
not see it). Listeners (the evaluation's cache: 好不好 item 9) are connected by the app factory."""

from blinker import Namespace

_signals = Namespace()

# send(sender, circle_ids=[…]) once the uses are written.
uses_recorded = _signals.signal("usage.uses-recorded")
