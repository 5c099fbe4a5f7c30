import pytest

from tests.demands.world import build_world


@pytest.fixture
def world(make, db, client, stub):
    return build_world(make, db)
