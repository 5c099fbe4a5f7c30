"""A "me too" answers through the fast path (app/common/fastjson.py), with what its documented schema dumps."""

import json

from app.common import fastjson
from app.demands.schemas import SupportResultSchema
from tests.demands.world import submit


def test_me_too_answers_exactly_what_its_schema_dumps(client, world):
    need = submit(client, world.h.resident)
    for count, headers in enumerate((world.h.neighbour, world.h.third), start=1):
        response = client.post(f"/api/v1/demands/{need['id']}/support", headers=headers)
        assert response.status_code == 201 and response.mimetype == "application/json"
        body = json.loads(response.get_data())
        assert body == {"demand_id": need["id"], "support_count": count, "supported": True}
        assert body == SupportResultSchema().dump(body) == fastjson.Projection(SupportResultSchema)(body)
    # A second "me too" of the same resident keeps its contract answer (the envelope), not the fast path's.
    again = client.post(f"/api/v1/demands/{need['id']}/support", headers=world.h.third)
    assert again.status_code >= 400 and set(again.get_json()["error"]) == {"code", "message", "details"}
