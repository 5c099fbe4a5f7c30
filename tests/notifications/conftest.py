import pytest

from tests.demands.world import build_world, reset_stub


@pytest.fixture
def stub(wechat_stub):
    reset_stub(wechat_stub)
    return wechat_stub


@pytest.fixture
def world(make, db, client, stub):
    return build_world(make, db)
