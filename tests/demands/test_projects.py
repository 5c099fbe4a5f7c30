"""项目清单 → 满意清单: projects, linked needs following them, "is it solved?", the evaluation's numbers."""

from datetime import date

import pytest
from sqlalchemy import select

from app.common.clock import now_local
from app.demands.models import Demand, ProjectEvent
from app.demands.stats import CircleDemandStats, circle_demand_stats
from app.notifications.models import OutboxMessage
from tests.demands.world import submit, triage
from tests.factories import MIYUN


def project_body(world, **overrides):
    body = {
        "circle_id": world.circle.id,
        "business_type": "breakfast",
        "title": "鼓楼东街新增早餐点",
        "location": {"lat": MIYUN[1], "lng": MIYUN[0]},
        "coord": "wgs84",
        "urgency": "urgent",
        "planned_start": "2025-03-01",
        "planned_end": "2025-06-30",
    }
    body.update(overrides)
    return body


def create(client, headers, world, **overrides):
    return client.post("/api/v1/staff/projects", json=project_body(world, **overrides), headers=headers)


def accepted_need(client, world, headers=None, **overrides):
    demand = submit(client, headers or world.h.resident, **overrides)
    assert triage(client, world.h.staff, demand["id"], status="accepted").status_code == 200
    return demand


@pytest.mark.parametrize(
    "who,status",
    [(None, 401), ("resident", 403), ("merchant", 403), ("other_staff", 403), ("staff", 201), ("admin", 201)],
)
def test_create_project_roles_and_scope(client, world, who, status):
    response = create(client, getattr(world.h, who) if who else {}, world)
    assert response.status_code == status, response.get_json()
    if status == 201:
        body = response.get_json()
        assert (body["status"], body["progress"], body["urgency_name"]) == ("planned", 0, "紧急")
        assert body["location"] == {"lat": MIYUN[1], "lng": MIYUN[0]} and body["business_type_name"] == "早餐店"


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"planned_end": "2025-01-01"}, "planned_end"),
        ({"business_type": "nope"}, "business_type"),
        ({"progress": 120}, "progress"),
        ({"status": "done", "progress": 50}, "progress"),
        ({"title": ""}, "title"),
        ({"circle_id": 999999}, "circle_id"),
        ({"urgency": "asap"}, "urgency"),
        ({"demand_ids": [999999]}, "demand_ids"),
    ],
)
def test_bad_project_bodies(client, world, db, overrides, field):
    response = create(client, world.h.staff, world, **overrides)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]


def test_patch_project_scope_and_input(client, world):
    project = create(client, world.h.staff, world).get_json()
    path = f"/api/v1/staff/projects/{project['id']}"
    assert client.patch(path, json={"progress": 30}).status_code == 401
    assert client.patch(path, json={"progress": 30}, headers=world.h.resident).status_code == 403
    assert client.patch(path, json={"progress": 30}, headers=world.h.other_staff).status_code == 403
    assert client.patch(path, json={}, headers=world.h.staff).status_code == 422
    assert client.patch("/api/v1/staff/projects/999999", json={"progress": 1}, headers=world.h.admin).status_code == 404
    body = client.patch(path, json={"progress": 30, "status": "in_progress"}, headers=world.h.admin).get_json()
    assert (body["progress"], body["status"], body["actual_start"]) == (
        30,
        "in_progress",
        now_local().date().isoformat(),
    )


def test_project_done_closes_linked_needs_and_asks_is_it_solved(client, world, db):
    first = accepted_need(client, world)
    second = accepted_need(client, world, world.h.neighbour, text="早餐要有豆浆油条")
    unlinked = accepted_need(client, world, world.h.third)
    project = create(client, world.h.staff, world, demand_ids=[first["id"]]).get_json()
    linked = triage(client, world.h.staff, second["id"], project_id=project["id"]).get_json()
    assert linked["project"]["id"] == project["id"] and linked["timeline"][-1]["action"] == "project_linked"
    started = client.patch(
        f"/api/v1/staff/projects/{project['id']}", json={"status": "in_progress", "progress": 40}, headers=world.h.staff
    )
    assert started.get_json()["demand_count"] == 2
    assert db.session.get(Demand, first["id"]).status == "in_progress"
    done = client.patch(f"/api/v1/staff/projects/{project['id']}", json={"status": "done"}, headers=world.h.staff)
    assert done.status_code == 200
    assert (done.get_json()["progress"], done.get_json()["actual_end"]) == (100, now_local().date().isoformat())
    for demand_id in (first["id"], second["id"]):
        stored = db.session.get(Demand, demand_id)
        assert stored.status == "done" and stored.confirmation_requested_at is not None
    assert db.session.get(Demand, unlinked["id"]).status == "accepted"
    asks = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template_id == "tmpl-demand-confirm"))
    assert sorted(m.user_id for m in asks) == sorted([world.resident.id, world.neighbour.id])
    mine = client.get(f"/api/v1/demands/{first['id']}", headers=world.h.resident).get_json()
    assert mine["timeline"][-1]["note"] == "项目已完成：鼓楼东街新增早餐点"
    own = client.get("/api/v1/me/demands", headers=world.h.resident).get_json()["items"][0]
    assert own["confirmation"]["can_answer"] is True
    audit = db.session.scalars(select(ProjectEvent.action).where(ProjectEvent.project_id == project["id"]))
    assert list(audit) == ["created", "updated", "updated"]


def test_confirmation_yes_no_unsure(client, world, db):
    needs = [accepted_need(client, world, h) for h in (world.h.resident, world.h.neighbour, world.h.third)]
    project = create(client, world.h.staff, world, demand_ids=[n["id"] for n in needs]).get_json()
    client.patch(f"/api/v1/staff/projects/{project['id']}", json={"status": "done"}, headers=world.h.staff)
    url = "/api/v1/demands/{}/confirmation"
    yes = client.post(url.format(needs[0]["id"]), json={"answer": "yes", "comment": "很方便"}, headers=world.h.resident)
    assert yes.status_code == 200
    assert yes.get_json()["confirmation"]["answer"] == "yes" and yes.get_json()["confirmed_solved"] is True
    no = client.post(url.format(needs[1]["id"]), json={"answer": "no"}, headers=world.h.neighbour).get_json()
    assert no["status"] == "reopened" and no["closed_at"] is None
    assert [e["action"] for e in no["timeline"]][-2:] == ["confirmation", "status"]
    unsure = client.post(url.format(needs[2]["id"]), json={"answer": "unsure"}, headers=world.h.third).get_json()
    assert unsure["status"] == "done" and unsure["confirmed_solved"] is False
    again = client.post(url.format(needs[0]["id"]), json={"answer": "no"}, headers=world.h.resident)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_confirmed"
    satisfied = client.get(f"/api/v1/circles/{world.circle.id}/satisfied-list?coord=wgs84").get_json()
    assert [d["id"] for d in satisfied["items"]] == [needs[0]["id"]] and satisfied["total"] == 1
    assert satisfied["items"][0]["project"]["title"] == "鼓楼东街新增早餐点"
    # The reopened need goes back through triage and may be done again: then it is asked again.
    assert triage(client, world.h.staff, needs[1]["id"], status="done").status_code == 200
    assert client.post(url.format(needs[1]["id"]), json={"answer": "yes"}, headers=world.h.neighbour).status_code == 200


def test_confirmation_refusals(client, world):
    demand = submit(client, world.h.resident)
    url = f"/api/v1/demands/{demand['id']}/confirmation"
    not_done = client.post(url, json={"answer": "yes"}, headers=world.h.resident)
    assert not_done.status_code == 409 and not_done.get_json()["error"]["code"] == "demand_not_done"
    triage(client, world.h.staff, demand["id"], status="done")
    assert client.post(url, json={"answer": "yes"}).status_code == 401
    assert client.post(url, json={"answer": "yes"}, headers=world.h.staff).status_code == 403
    assert client.post(url, json={"answer": "yes"}, headers=world.h.merchant).status_code == 403
    other = client.post(url, json={"answer": "yes"}, headers=world.h.neighbour)
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "not_attached"
    assert client.post(url, json={"answer": "maybe"}, headers=world.h.resident).status_code == 422
    risky = client.post(url, json={"answer": "no", "comment": "赌博"}, headers=world.h.resident)
    assert risky.status_code == 422 and risky.get_json()["error"]["code"] == "content_rejected"
    assert (
        client.post("/api/v1/demands/999999/confirmation", json={"answer": "yes"}, headers=world.h.resident).status_code
        == 404
    )


def test_linking_rules(client, world):
    submitted = submit(client, world.h.resident)
    project = create(client, world.h.staff, world).get_json()
    early = triage(client, world.h.staff, submitted["id"], project_id=project["id"])
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "demand_not_accepted"
    both = triage(client, world.h.staff, submitted["id"], status="accepted", project_id=project["id"]).get_json()
    assert both["project"]["id"] == project["id"]
    elsewhere = create(client, world.h.admin, world, circle_id=world.other.id).get_json()
    across = triage(client, world.h.admin, submitted["id"], project_id=elsewhere["id"])
    assert across.status_code == 422 and "project_id" in across.get_json()["error"]["details"]
    unlinked = triage(client, world.h.staff, submitted["id"], project_id=None).get_json()
    assert unlinked["project"] is None and unlinked["timeline"][-1]["action"] == "project_unlinked"


def test_the_two_tables_of_the_plan(client, world):
    late = create(
        client,
        world.h.staff,
        world,
        title="补建菜店",
        urgency="high",
        planned_start="2020-03-01",
        planned_end="2020-12-31",
    ).get_json()
    soon = create(client, world.h.staff, world, title="早餐车进社区").get_json()
    create(client, world.h.staff, world, title="已取消的项目", status="cancelled", urgency="low")
    create(client, world.h.admin, world, circle_id=world.other.id, title="别的生活圈")
    plan = client.get(f"/api/v1/circles/{world.circle.id}/projects?coord=wgs84").get_json()
    assert [p["title"] for p in plan["items"]] == ["补建菜店", "早餐车进社区", "已取消的项目"]
    groups = {g["urgency"]: [p["id"] for p in g["projects"]] for g in plan["timetable"]}
    assert groups == {"urgent": [soon["id"]], "high": [late["id"]], "normal": [], "low": []}
    assert [g["urgency_name"] for g in plan["timetable"]] == ["紧急", "较急", "一般", "可缓"]
    progress = {row["title"]: row for row in plan["progress"]}
    assert progress["补建菜店"]["delayed"] is True and progress["早餐车进社区"]["delayed"] is (
        date(2025, 6, 30) < now_local().date()
    )
    assert plan["counts"] == {"planned": 2, "in_progress": 0, "done": 0, "cancelled": 1}
    only_planned = client.get(f"/api/v1/circles/{world.circle.id}/projects?status=planned").get_json()
    assert len(only_planned["items"]) == 2
    assert client.get("/api/v1/circles/999999/projects").status_code == 404
    assert client.get(f"/api/v1/circles/{world.circle.id}/projects?status=built").status_code == 422


def test_project_detail_lists_its_public_needs(client, world):
    demand = accepted_need(client, world)
    project = create(client, world.h.staff, world, demand_ids=[demand["id"]]).get_json()
    body = client.get(f"/api/v1/projects/{project['id']}").get_json()
    assert [d["id"] for d in body["demands"]] == [demand["id"]] and body["demand_count"] == 1
    assert client.get("/api/v1/projects/999999").status_code == 404


def test_circle_demand_stats_for_the_evaluation(client, world, db):
    year = now_local().year
    done_yes = accepted_need(client, world)
    accepted = accepted_need(client, world, world.h.neighbour)
    submit(client, world.h.third)  # submitted only
    duplicate = submit(client, world.h.third, kind="other", business_type=None)
    triage(client, world.h.staff, duplicate["id"], merge_into=accepted["id"])
    submit(client, world.h.third, at=(116.9000, 40.4200))  # other circle
    project = create(client, world.h.staff, world, demand_ids=[done_yes["id"]], planned_end=f"{year}-12-31").get_json()
    create(client, world.h.staff, world, title="第二个项目")
    create(client, world.h.staff, world, title="取消", status="cancelled")
    client.patch(f"/api/v1/staff/projects/{project['id']}", json={"status": "done"}, headers=world.h.staff)
    client.post(f"/api/v1/demands/{done_yes['id']}/confirmation", json={"answer": "yes"}, headers=world.h.resident)
    stats = circle_demand_stats([world.circle.id, world.circle.id + 1000], year)
    assert stats[world.circle.id] == CircleDemandStats(
        needs=3,
        accepted=2,
        linked=1,
        done=1,
        satisfied=1,
        satisfied_by_submitter=1,
        supports=1,  # the duplicate's submitter, carried over by the merge
        projects=2,
        projects_done=1,
    )
    assert stats[world.circle.id + 1000] == CircleDemandStats()  # asked for, nothing there: zeros
    assert circle_demand_stats([world.circle.id], year - 1)[world.circle.id].needs == 0
