"""Fixtures of the common tests: committed rows for the read path tests (a second app instance reads them)."""

from tests.faults.committed import committed_data  # noqa: F401  (a fixture for this package)
