"""The loop closed for everyone: state machines, everyone attached is told and may answer "is it solved?",
subscription consent, and the nearest existing outlets before filing "missing"."""

import pytest
from sqlalchemy import select

from app.common.clock import now_local
from app.demands import states
from app.demands.models import Demand
from app.demands.stats import circle_demand_stats
from app.evaluation import service as evaluation
from app.notifications import worker
from app.notifications.models import OutboxMessage
from tests.demands.world import demand_body, offset, stub_sent, submit, triage
from tests.factories import MIYUN
from tests.transactions import commit


def outbox(db, demand_id):
    db.session.expire_all()
    rows = select(OutboxMessage).where(OutboxMessage.subject == f"demand:{demand_id}").order_by(OutboxMessage.id)
    return list(db.session.scalars(rows))


def confirm(client, headers, demand_id, answer, **body):
    return client.post(
        f"/api/v1/demands/{demand_id}/confirmation?coord=wgs84", json={"answer": answer, **body}, headers=headers
    )


def support(client, headers, demand_id):
    response = client.post(f"/api/v1/demands/{demand_id}/support", headers=headers)
    assert response.status_code == 201, response.get_json()


# --- state machines -------------------------------------------------------------------------------------


def test_a_need_cannot_jump_from_submitted_to_done(client, world, db):
    demand = submit(client, world.h.resident)
    response = triage(client, world.h.staff, demand["id"], status="done")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["details"]["allowed"] == ["accepted", "rejected", "merged"]
    assert (error["details"]["from"], error["details"]["to"]) == ("submitted", "done")
    assert db.session.get(Demand, demand["id"]).status == "submitted"
    staff_view = client.get(f"/api/v1/staff/demands/{demand['id']}", headers=world.h.staff).get_json()
    assert staff_view["next_statuses"] == ["accepted", "rejected", "merged"]  # what a console offers
    for status in ("accepted", "in_progress", "done"):
        assert triage(client, world.h.staff, demand["id"], status=status).status_code == 200
    back = triage(client, world.h.staff, demand["id"], status="rejected", reason="重复")
    assert back.status_code == 409 and back.get_json()["error"]["details"]["allowed"] == ["in_progress", "reopened"]


def test_project_state_machine_refuses_with_the_allowed_next_states(client, world):
    body = {"circle_id": world.circle.id, "title": "新增早餐点"}
    project = client.post("/api/v1/staff/projects", json=body, headers=world.h.staff).get_json()
    url = f"/api/v1/staff/projects/{project['id']}"
    assert client.patch(url, json={"status": "cancelled"}, headers=world.h.staff).status_code == 200
    refused = client.patch(url, json={"status": "done"}, headers=world.h.staff)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["details"]["allowed"] == ["planned"]
    assert client.patch(url, json={"status": "planned"}, headers=world.h.staff).status_code == 200


def test_the_tables_are_the_single_source():
    assert states.allowed_next("demand", "done", states.RESIDENT) == ["reopened"]
    assert states.allowed_next("demand", "merged") == [] and states.allowed_next("demand", "submitted", "project") == []
    assert states.can("demand", "accepted", "done", states.PROJECT)
    assert not states.can("demand", "submitted", "done", states.STAFF)


# --- everyone attached is told ------------------------------------------------------------------------


def test_supporters_and_merged_submitters_are_notified_and_the_worker_sends(client, world, db, stub):
    demand = submit(client, world.h.resident)
    support(client, world.h.neighbour, demand["id"])
    duplicate = submit(client, world.h.third, kind="other", business_type=None, text="早点摊在哪")
    assert triage(client, world.h.staff, duplicate["id"], merge_into=demand["id"]).status_code == 200
    assert triage(client, world.h.staff, demand["id"], status="accepted").status_code == 200
    accepted = outbox(db, demand["id"])
    assert sorted(m.user_id for m in accepted) == sorted([world.resident.id, world.neighbour.id, world.third.id])
    assert {m.template_id for m in accepted} == {"tmpl-demand-status"}
    assert triage(client, world.h.staff, demand["id"], status="done").status_code == 200
    done = outbox(db, demand["id"])[len(accepted) :]
    assert sorted(m.user_id for m in done) == sorted([world.resident.id, world.neighbour.id, world.third.id])
    assert {m.template_id for m in done} == {"tmpl-demand-confirm"}
    worker.run_once()
    sent = {(s["touser"], s["template_id"]) for s in stub_sent(stub)["sent"]}
    assert ("stub-openid-resident-b", "tmpl-demand-confirm") in sent
    assert ("stub-openid-resident-c", "tmpl-demand-status") in sent


def test_subscription_consent_is_respected(client, world, db):
    consent = client.post(
        "/api/v1/me/subscriptions",
        json={"results": {"tmpl-demand-status": "reject", "tmpl-demand-confirm": "accept"}},
        headers=world.h.neighbour,
    )
    assert consent.status_code == 200, consent.get_json()
    credits = {s["template_id"]: s["credits"] for s in consent.get_json()["items"]}
    assert credits == {"tmpl-demand-status": 0, "tmpl-demand-confirm": 1}
    demand = submit(client, world.h.resident)
    support(client, world.h.neighbour, demand["id"])
    triage(client, world.h.staff, demand["id"], status="accepted")
    assert [m.user_id for m in outbox(db, demand["id"])] == [world.resident.id]  # the neighbour said no
    triage(client, world.h.staff, demand["id"], status="done")
    assert [m.user_id for m in outbox(db, demand["id"])[1:]] == [world.resident.id, world.neighbour.id]
    # The one "accept" is used up: a second "done" is not queued for the neighbour.
    triage(client, world.h.staff, demand["id"], status="in_progress")
    triage(client, world.h.staff, demand["id"], status="done")
    mine = client.get("/api/v1/me/subscriptions", headers=world.h.neighbour).get_json()["items"]
    assert {s["template_id"]: s["credits"] for s in mine}["tmpl-demand-confirm"] == 0
    assert [m.user_id for m in outbox(db, demand["id"])].count(world.neighbour.id) == 1
    unknown = client.post(
        "/api/v1/me/subscriptions", json={"results": {"tmpl-other": "accept"}}, headers=world.h.neighbour
    )
    assert unknown.status_code == 422
    bad = client.post(
        "/api/v1/me/subscriptions", json={"results": {"tmpl-demand-status": "maybe"}}, headers=world.h.neighbour
    )
    assert bad.status_code == 422
    assert client.get("/api/v1/me/subscriptions").status_code == 401


# --- "is it solved?" from everyone attached ----------------------------------------------------------------


def test_supporters_answer_and_the_satisfied_list_counts_them(client, world, db):
    demand = submit(client, world.h.resident)
    support(client, world.h.neighbour, demand["id"])
    triage(client, world.h.staff, demand["id"], status="accepted")
    early = confirm(client, world.h.neighbour, demand["id"], "yes")
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "demand_not_done"
    triage(client, world.h.staff, demand["id"], status="done")
    view = client.get(f"/api/v1/demands/{demand['id']}?coord=wgs84", headers=world.h.neighbour).get_json()
    assert view["my_confirmation"] == {"role": "supporter", "answer": None, "answer_name": None, "can_answer": True}
    outsider = confirm(client, world.h.third, demand["id"], "yes")
    assert outsider.status_code == 403 and outsider.get_json()["error"]["code"] == "not_attached"
    answered = confirm(client, world.h.neighbour, demand["id"], "yes", comment="早餐店开起来了")
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["answers"] == {"yes": 1, "no": 0, "unsure": 0}
    assert answered.get_json()["confirmed_solved"] is True
    again = confirm(client, world.h.neighbour, demand["id"], "no")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_confirmed"
    listed = client.get(f"/api/v1/circles/{world.circle.id}/satisfied-list").get_json()
    assert [d["id"] for d in listed["items"]] == [demand["id"]] and listed["total"] == 1
    stats = circle_demand_stats([world.circle.id], now_local().year)[world.circle.id]
    assert (stats.satisfied, stats.satisfied_by_submitter) == (1, 0)
    [item1] = [
        i for i in evaluation.evaluate_circle(world.circle.id, use_cache=False)["service"]["items"] if i["no"] == 1
    ]
    assert item1["evidence"]["satisfied"] == 1 and "支持者" in item1["evidence"]["satisfied_rule"]
    timeline = client.get(f"/api/v1/demands/{demand['id']}").get_json()["timeline"]
    assert timeline[-1]["action"] == "confirmation" and timeline[-1]["note"] == "已解决"


def test_more_no_than_yes_reopens_and_a_tie_is_not_satisfied(client, world, db):
    demand = submit(client, world.h.resident)
    support(client, world.h.neighbour, demand["id"])
    support(client, world.h.third, demand["id"])
    triage(client, world.h.staff, demand["id"], status="accepted")
    triage(client, world.h.staff, demand["id"], status="done")
    assert confirm(client, world.h.neighbour, demand["id"], "yes").status_code == 200
    tie = confirm(client, world.h.resident, demand["id"], "no").get_json()
    assert (tie["status"], tie["confirmed_solved"], tie["answers"]["no"]) == ("done", False, 1)
    assert client.get(f"/api/v1/circles/{world.circle.id}/satisfied-list").get_json()["items"] == []
    reopened = confirm(client, world.h.third, demand["id"], "no").get_json()
    assert reopened["status"] == "reopened"
    # Marked done again: earlier answers are cleared and everyone may answer afresh.
    triage(client, world.h.staff, demand["id"], status="done")
    fresh = client.get(f"/api/v1/demands/{demand['id']}", headers=world.h.third).get_json()
    assert fresh["answers"] == {"yes": 0, "no": 0, "unsure": 0} and fresh["my_confirmation"]["can_answer"] is True


def test_a_merged_needs_submitter_answers_on_the_target(client, world):
    target = submit(client, world.h.resident)
    source = submit(client, world.h.neighbour, kind="other", business_type=None, text="早点摊")
    triage(client, world.h.staff, source["id"], merge_into=target["id"])
    triage(client, world.h.staff, target["id"], status="accepted")
    triage(client, world.h.staff, target["id"], status="done")
    answered = confirm(client, world.h.neighbour, target["id"], "unsure")
    assert answered.status_code == 200 and answered.get_json()["answers"]["unsure"] == 1


# --- something of that type exists nearby ------------------------------------------------------------------


@pytest.fixture
def breakfast_nearby(make, db):
    lng, lat = offset(*MIYUN, east_m=101)
    outlet = make.outlet(lng, lat, types=("breakfast",), name="老王早点", open_24h=True, address="鼓楼东大街 1 号")
    make.outlet(*offset(*MIYUN, north_m=600), types=("breakfast",), name="远处早点")  # beyond 300 m
    commit()
    return outlet


def test_nearest_outlets_are_shown_before_filing(client, world, breakfast_nearby):
    query = f"lat={MIYUN[1]}&lng={MIYUN[0]}&coord=wgs84&business_type=breakfast"
    body = client.get(f"/api/v1/demands/existing-outlets?{query}").get_json()
    assert body["radius_m"] == 300 and body["reason_required"] is True
    [item] = body["items"]
    assert (item["id"], item["name"], item["open_now"]) == (breakfast_nearby.id, "老王早点", True)
    assert 99 <= item["distance_m"] <= 103 and item["walk_minutes"] >= 1
    assert {r["code"] for r in body["reasons"]} >= {"too_expensive", "closed", "poor"}
    none_here = client.get(f"/api/v1/demands/existing-outlets?{query.replace('breakfast', 'wet_market')}").get_json()
    assert (none_here["items"], none_here["reason_required"]) == ([], False)
    unknown = client.get(f"/api/v1/demands/existing-outlets?{query.replace('breakfast', 'unicorns')}")
    assert unknown.status_code == 422
    assert client.get("/api/v1/demands/existing-outlets?business_type=breakfast").status_code == 422


def test_filing_missing_while_one_exists_needs_a_reason(client, world, db, breakfast_nearby):
    def post(**overrides):
        return client.post("/api/v1/demands", json=demand_body(**overrides), headers=world.h.resident)

    refused = post(text="缺早餐店")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "existing_outlets" and "101 米" in error["message"] and "老王早点" in error["message"]
    assert [o["name"] for o in error["details"]["nearest"]["items"]] == ["老王早点"]
    assert db.session.scalar(select(Demand.id).where(Demand.text == "缺早餐店")) is None
    filed = submit(client, world.h.resident, text="缺早餐店", existing_reason="too_expensive")
    assert filed["existing_reason"] == "too_expensive"
    stored = db.session.get(Demand, filed["id"])
    assert stored.existing_outlet_ids == [breakfast_nearby.id]
    assert post(kind="other", business_type=None, existing_reason="poor").status_code == 422
    assert post(existing_reason="cheap").status_code == 422
