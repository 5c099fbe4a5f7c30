"""The console's needs board: server-side filters and sorts, duplicate suggestions, Excel export."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tests.demands.world import offset, submit, triage
from tests.factories import MIYUN, error_code

BOARD = "/api/v1/staff/demands"


def board(client, headers, **query):
    response = client.get(BOARD, query_string={"circle_id": query.pop("circle"), **query}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_filters_and_sorts(client, world):
    first = submit(client, world.h.resident, text="小区门口缺一家早餐店")
    second = submit(client, world.h.resident, business_type="pharmacy", text="附近没有药店，买药要坐车")
    third = submit(client, world.h.neighbour, business_type="pharmacy", text="想要一家药店", address="鼓楼东街 3 号")
    client.post(f"/api/v1/demands/{third['id']}/support", headers=world.h.third)
    circle = world.circle.id

    def ids(answer):
        return [d["id"] for d in answer["items"]]

    assert ids(board(client, world.h.staff, circle=circle, sort="supports"))[0] == third["id"]
    assert ids(board(client, world.h.staff, circle=circle, sort="oldest")) == [first["id"], second["id"], third["id"]]
    assert ids(board(client, world.h.staff, circle=circle, sort="newest"))[0] == third["id"]
    assert ids(board(client, world.h.staff, circle=circle, business_type="pharmacy", sort="oldest")) == [
        second["id"],
        third["id"],
    ]
    assert ids(board(client, world.h.staff, circle=circle, min_support=1)) == [third["id"]]
    assert ids(board(client, world.h.staff, circle=circle, q="鼓楼东街")) == [third["id"]]
    assert ids(board(client, world.h.staff, circle=circle, q="100%")) == []
    with_community = board(client, world.h.staff, circle=circle, community_id=world.community.id)
    assert set(ids(with_community)) == {first["id"], second["id"], third["id"]}
    # the board's dates are local (Asia/Shanghai) days, whatever offset created_at is written with
    today = datetime.fromisoformat(first["created_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert board(client, world.h.staff, circle=circle, since=today, until=today)["total"] == 3
    assert board(client, world.h.staff, circle=circle, until="2000-01-01")["total"] == 0
    light = board(client, world.h.staff, circle=circle, timeline="false")
    assert "timeline" not in light["items"][0]


def test_bad_filters_are_field_messages(client, world):
    response = client.get(
        BOARD,
        query_string={"circle_id": world.circle.id, "since": "2026-02-01", "until": "2026-01-01"},
        headers=world.h.staff,
    )
    assert response.status_code == 422 and response.get_json()["error"]["details"]["until"] == [
        "结束日期不能早于开始日期"
    ]
    response = client.get(BOARD, query_string={"sort": "random"}, headers=world.h.staff)
    assert response.status_code == 422 and "sort" in response.get_json()["error"]["details"]


def test_duplicates_are_near_same_kind_and_alike(client, world):
    near = offset(*MIYUN, east_m=120)
    far = offset(*MIYUN, east_m=700)  # beyond breakfast's 300 m walking radius
    base = submit(client, world.h.resident, text="小区门口缺一家早餐店")
    twin = submit(client, world.h.neighbour, text="小区门口没有早餐店", at=near)
    submit(client, world.h.third, text="缺早餐店", at=far)
    other_type = submit(client, world.h.third, business_type="pharmacy", text="缺药店", at=near)
    answer = client.get(f"{BOARD}/{base['id']}/duplicates?coord=wgs84", headers=world.h.staff).get_json()
    found = {d["id"]: d for d in answer["items"]}
    assert twin["id"] in found and other_type["id"] not in found and len(found) == 1
    assert found[twin["id"]]["likely"] is True and 100 <= found[twin["id"]]["distance_m"] <= 140
    assert answer["radius_m"] == 300  # breakfast's walking radius
    # merging the suggestion is the board's one action
    merged = triage(client, world.h.staff, twin["id"], merge_into=base["id"])
    assert merged.status_code == 200 and merged.get_json()["status"] == "merged"
    assert client.get(f"{BOARD}/{base['id']}/duplicates", headers=world.h.staff).get_json()["items"] == []
    out = client.get(f"{BOARD}/{base['id']}/duplicates", headers=world.h.other_staff)
    assert out.status_code == 403 and error_code(out) == "out_of_scope"


def test_export_is_a_workbook_of_the_filtered_board(client, world):
    submit(client, world.h.resident, text="小区门口缺一家早餐店")
    submit(client, world.h.neighbour, business_type="pharmacy", text="附近没有药店")
    response = client.get(
        f"{BOARD}.xlsx", query_string={"circle_id": world.circle.id, "business_type": "pharmacy"}, headers=world.h.staff
    )
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1 and rows[0][4] == "附近没有药店" and rows[0][6] == "已提交"
    assert client.get(f"{BOARD}.xlsx?circle_id={world.other.id}", headers=world.h.staff).status_code == 403
