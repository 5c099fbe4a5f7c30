"""What the surveys domain tells others about its changes that the ORM session does not see (answers
inserted with INSERT … ON CONFLICT, CSV batches). Listeners (the evaluation's cache) are connected by the
app factory; a sender never knows who listens."""

from blinker import Namespace

_signals = Namespace()

# send(sender, circle_ids=[…]) before the answers' commit (or after it, for changes already committed).
answers_changed = _signals.signal("surveys.answers-changed")
