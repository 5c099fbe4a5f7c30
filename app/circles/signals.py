"""What the circles domain tells others about changes the ORM session does not see: the circles import moves
outlets between circles with one set-based UPDATE, so a circle the file never named can lose outlets to a
moved boundary. Listeners (the evaluation's cache) are connected by the app factory."""

from blinker import Namespace

_signals = Namespace()

# send(sender, circle_ids=[…]) before the import's commit: the circles outlets joined or left.
outlets_moved = _signals.signal("circles.outlets-moved")
