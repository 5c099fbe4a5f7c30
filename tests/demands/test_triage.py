"""Staff triage: scope, statuses, priority, replies, moderation, merging (all or nothing), the queue."""

import pytest
from sqlalchemy import select

from app.demands import triage as triage_module
from app.demands.models import Demand, DemandEvent, DemandSupport
from app.notifications.models import OutboxMessage
from tests.demands.world import submit, triage


def outbox(db, demand_id):
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject == f"demand:{demand_id}").order_by(OutboxMessage.id)
        )
    )


@pytest.mark.parametrize(
    "who,status,code",
    [
        (None, 401, "unauthorized"),
        ("resident", 403, "role_forbidden"),
        ("merchant", 403, "role_forbidden"),
        ("other_staff", 403, "out_of_scope"),
        ("staff", 200, None),
        ("admin", 200, None),
    ],
)
def test_triage_roles_and_scope(client, world, db, who, status, code):
    demand = submit(client, world.h.resident)
    response = triage(client, getattr(world.h, who) if who else {}, demand["id"], status="accepted")
    assert response.status_code == status, response.get_json()
    if code:
        assert response.get_json()["error"]["code"] == code
        assert db.session.get(Demand, demand["id"]).status == "submitted"
    else:
        assert response.get_json()["status"] == "accepted"


def test_accept_records_the_timeline_and_queues_the_notice(client, world, db, app):
    demand = submit(client, world.h.resident)
    body = triage(client, world.h.staff, demand["id"], status="accepted", reply="已列入今年需求清单").get_json()
    assert (body["status"], body["public_reply"]) == ("accepted", "已列入今年需求清单")
    actions = [(e["action"], e["to_status"], e["public"], e["actor_id"]) for e in body["timeline"]]
    assert actions == [
        ("submitted", "submitted", True, world.resident.id),
        ("reply", None, True, world.staff.id),
        ("status", "accepted", True, world.staff.id),
    ]
    [message] = outbox(db, demand["id"])
    assert (message.user_id, message.status, message.template_id) == (
        world.resident.id,
        "pending",
        "tmpl-demand-status",
    )
    assert message.data["phrase2"] == {"value": "已受理"} and message.data["thing3"] == {"value": "已列入今年需求清单"}
    assert message.data["thing1"]["value"] == "小区门口缺一家早餐店"
    assert message.page == f"pages/demands/detail?id={demand['id']}"
    mine = client.get("/api/v1/me/demands", headers=world.h.resident).get_json()["items"][0]
    assert [e["action"] for e in mine["timeline"]] == ["submitted", "reply", "status"]
    assert mine["timeline"][-1]["by"] == "社区工作人员" and "actor_id" not in mine["timeline"][-1]


def test_template_ids_come_from_the_configuration(client, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_TEMPLATE_DEMAND_STATUS", "tmpl-from-config")
    demand = submit(client, world.h.resident)
    triage(client, world.h.staff, demand["id"], status="accepted")
    assert outbox(db, demand["id"])[0].template_id == "tmpl-from-config"


def test_reject_needs_a_reason_that_becomes_public(client, world, db):
    demand = submit(client, world.h.resident)
    missing = triage(client, world.h.staff, demand["id"], status="rejected")
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["details"]
    assert outbox(db, demand["id"]) == []
    body = triage(client, world.h.staff, demand["id"], status="rejected", reason="附近 200 米已有早餐店").get_json()
    assert body["status"] == "rejected" and body["closed_at"] is not None
    public = client.get(f"/api/v1/demands/{demand['id']}").get_json()
    assert public["reject_reason"] == "附近 200 米已有早餐店"
    assert public["timeline"][-1]["note"] == "附近 200 米已有早餐店"
    assert outbox(db, demand["id"])[0].data["thing3"]["value"] == "附近 200 米已有早餐店"


def test_invalid_transitions_are_409_and_change_nothing(client, world, db):
    demand = submit(client, world.h.resident)
    triage(client, world.h.staff, demand["id"], status="rejected", reason="重复")
    response = triage(client, world.h.staff, demand["id"], status="done", priority="urgent")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_transition"
    stored = db.session.get(Demand, demand["id"])
    assert (stored.status, stored.priority) == ("rejected", "normal")
    assert triage(client, world.h.staff, demand["id"], status="accepted").get_json()["reject_reason"] is None


def test_priority_and_notes_are_internal(client, world):
    demand = submit(client, world.h.resident)
    body = triage(client, world.h.staff, demand["id"], priority="urgent", note="与街道沟通中").get_json()
    assert body["priority"] == "urgent" and body["priority_name"] == "紧急"
    internal = [(e["action"], e["public"], e["note"]) for e in body["timeline"][1:]]
    assert internal == [("priority", False, "紧急"), ("note", False, "与街道沟通中")]
    public = client.get(f"/api/v1/demands/{demand['id']}").get_json()
    assert [e["action"] for e in public["timeline"]] == ["submitted"] and public["priority"] == "urgent"


def test_held_need_must_be_released_before_acceptance(client, world, db):
    demand = submit(client, world.h.resident, text="早餐店，加微信")
    refused = triage(client, world.h.staff, demand["id"], status="accepted")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "demand_held"
    body = triage(client, world.h.staff, demand["id"], moderation="visible", status="accepted").get_json()
    assert (body["moderation"], body["status"]) == ("visible", "accepted")
    assert client.get(f"/api/v1/demands/{demand['id']}").status_code == 200
    hidden = triage(client, world.h.staff, demand["id"], moderation="hidden").get_json()
    assert hidden["moderation"] == "hidden" and client.get(f"/api/v1/demands/{demand['id']}").status_code == 404


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "_schema"),
        ({"status": "merged"}, "status"),
        ({"status": "submitted"}, "status"),
        ({"priority": "whenever"}, "priority"),
        ({"merge_into": 1, "status": "accepted"}, "merge_into"),
        ({"project_id": "x"}, "project_id"),
        ({"reason": "没有驳回也写理由"}, "reason"),
        ({"project_id": 999999}, "project_id"),
        ({"merge_into": 999999}, "merge_into"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_triage_bodies(client, world, body, field):
    demand = submit(client, world.h.resident)
    if body.get("project_id") == 999999:
        triage(client, world.h.staff, demand["id"], status="accepted")
    response = triage(client, world.h.staff, demand["id"], **body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]


def test_unknown_demand_is_404(client, world):
    assert triage(client, world.h.staff, 999999, status="accepted").status_code == 404
    assert client.get("/api/v1/staff/demands/999999", headers=world.h.staff).status_code == 404


def _supports(db, demand_id):
    return sorted(db.session.scalars(select(DemandSupport.user_id).where(DemandSupport.demand_id == demand_id)))


def test_merge_carries_supports_over_without_double_counting(client, world, db):
    target = submit(client, world.h.resident)
    source = submit(client, world.h.neighbour, text="想要个早点摊")
    client.post(f"/api/v1/demands/{target['id']}/support", headers=world.h.third)
    client.post(f"/api/v1/demands/{source['id']}/support", headers=world.h.third)  # supports both
    client.post(f"/api/v1/demands/{source['id']}/support", headers=world.h.resident)  # target's own submitter
    body = triage(client, world.h.staff, source["id"], merge_into=target["id"]).get_json()
    assert (body["status"], body["merged_into_id"]) == ("merged", target["id"])
    # neighbour (the source's submitter) joins; third is counted once; resident submitted the target.
    assert _supports(db, target["id"]) == sorted([world.third.id, world.neighbour.id])
    merged_into = client.get(f"/api/v1/demands/{target['id']}").get_json()
    assert merged_into["support_count"] == 2
    assert merged_into["timeline"][-1]["action"] == "merged_from"
    assert merged_into["timeline"][-1]["note"] == f"合并了需求 #{source['id']}"
    # Everyone attached to the merged need is told where it went: its submitter and its supporters.
    notices = outbox(db, source["id"])
    assert sorted(n.user_id for n in notices) == sorted([world.neighbour.id, world.third.id, world.resident.id])
    assert {n.data["phrase2"]["value"] for n in notices} == {"已合并"}
    public_list = client.get(f"/api/v1/circles/{world.circle.id}/demands").get_json()
    assert [d["id"] for d in public_list["items"]] == [target["id"]]
    again = triage(client, world.h.staff, source["id"], status="accepted")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "demand_merged"


def test_merge_chains_point_at_the_final_need(client, world, db):
    a, b, c = (submit(client, h) for h in (world.h.resident, world.h.neighbour, world.h.third))
    triage(client, world.h.staff, a["id"], merge_into=b["id"])
    triage(client, world.h.staff, b["id"], merge_into=c["id"])
    assert db.session.get(Demand, a["id"]).merged_into_id == c["id"]
    assert _supports(db, c["id"]) == sorted([world.resident.id, world.neighbour.id])


def test_merge_refusals(client, world, make, db):
    demand = submit(client, world.h.resident)
    self_merge = triage(client, world.h.staff, demand["id"], merge_into=demand["id"])
    assert self_merge.status_code == 422
    elsewhere = submit(client, world.h.neighbour, at=(116.9000, 40.4200))
    across = triage(client, world.h.admin, demand["id"], merge_into=elsewhere["id"])
    assert across.status_code == 422 and "merge_into" in across.get_json()["error"]["details"]
    rejected = submit(client, world.h.third)
    triage(client, world.h.staff, rejected["id"], status="rejected", reason="重复")
    into_rejected = triage(client, world.h.staff, demand["id"], merge_into=rejected["id"])
    assert into_rejected.status_code == 409 and into_rejected.get_json()["error"]["code"] == "merge_target_unavailable"
    assert db.session.get(Demand, demand["id"]).status == "submitted"


def test_a_failure_mid_merge_leaves_nothing_half_done(client, world, db, monkeypatch):
    target = submit(client, world.h.resident)
    source = submit(client, world.h.neighbour)
    client.post(f"/api/v1/demands/{source['id']}/support", headers=world.h.third)

    def explode(demand):
        raise RuntimeError("disk full")  # after the supports were copied, before the source is closed

    monkeypatch.setattr(triage_module, "_recount_supports", explode)
    response = triage(client, world.h.staff, source["id"], merge_into=target["id"], priority="urgent")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"
    db.session.expire_all()
    assert _supports(db, target["id"]) == []
    stored_source, stored_target = db.session.get(Demand, source["id"]), db.session.get(Demand, target["id"])
    assert (stored_source.status, stored_source.merged_into_id, stored_source.priority) == ("submitted", None, "normal")
    assert stored_target.support_count == 0
    events = db.session.scalars(
        select(DemandEvent.action).where(DemandEvent.demand_id.in_([source["id"], target["id"]]))
    )
    assert sorted(events) == ["submitted", "submitted"]
    assert outbox(db, source["id"]) == []
    monkeypatch.undo()
    assert triage(client, world.h.staff, source["id"], merge_into=target["id"]).status_code == 200
    assert _supports(db, target["id"]) == sorted([world.neighbour.id, world.third.id])


def test_staff_queue_is_scoped_and_filtered(client, world):
    mine = submit(client, world.h.resident)
    urgent = submit(client, world.h.neighbour, kind="other", business_type=None)
    triage(client, world.h.staff, urgent["id"], priority="urgent")
    theirs = submit(client, world.h.third, at=(116.9000, 40.4200))
    queue = client.get("/api/v1/staff/demands", headers=world.h.staff).get_json()
    assert [d["id"] for d in queue["items"]] == [urgent["id"], mine["id"]] and queue["total"] == 2
    assert queue["items"][1]["submitter_id"] == world.resident.id
    everything = client.get("/api/v1/staff/demands", headers=world.h.admin).get_json()
    assert {d["id"] for d in everything["items"]} == {mine["id"], urgent["id"], theirs["id"]}
    other = client.get(f"/api/v1/staff/demands?circle_id={world.other.id}", headers=world.h.staff)
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "out_of_scope"
    filtered = client.get("/api/v1/staff/demands?kind=other&priority=urgent", headers=world.h.staff).get_json()
    assert [d["id"] for d in filtered["items"]] == [urgent["id"]]
    by_status = client.get(f"/api/v1/staff/demands?circle_id={world.circle.id}&status=accepted", headers=world.h.staff)
    assert by_status.get_json()["items"] == []
    assert client.get("/api/v1/staff/demands?status=nope", headers=world.h.staff).status_code == 422
    assert client.get("/api/v1/staff/demands", headers=world.h.resident).status_code == 403
    assert client.get("/api/v1/staff/demands").status_code == 401


def test_staff_detail_shows_internal_events_in_scope_only(client, world):
    demand = submit(client, world.h.resident)
    triage(client, world.h.staff, demand["id"], note="内部备注")
    body = client.get(f"/api/v1/staff/demands/{demand['id']}", headers=world.h.staff).get_json()
    assert body["timeline"][-1]["note"] == "内部备注" and body["timeline"][-1]["public"] is False
    assert client.get(f"/api/v1/staff/demands/{demand['id']}", headers=world.h.other_staff).status_code == 403
    assert client.get(f"/api/v1/staff/demands/{demand['id']}", headers=world.h.admin).status_code == 200
    assert client.get(f"/api/v1/staff/demands/{demand['id']}", headers=world.h.merchant).status_code == 403
