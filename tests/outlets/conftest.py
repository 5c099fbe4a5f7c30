"""The repair map's fixtures (repair points with offers and stall schedules, a settable clock) serve here too."""

from tests.repair.conftest import at, repair_point  # noqa: F401
