"""Evidence staff can read: each outlet behind 有没有 with name, address, type, distance to the boundary and
status, in the API (next to the contract's id lists) and in the Excel ledger."""

from io import BytesIO

from openpyxl import load_workbook

from app.common.clock import now_local
from app.evaluation.snapshots import freeze_snapshot
from app.outlets.models import Outlet


def test_evidence_names_the_outlets(client, world, make, db):
    c = world.circle(half_m=500)
    store = c.outlet("convenience_store", name="好邻居便利店", address="檀营路 1 号")
    # A breakfast stall 200 m east of the boundary still serves the circle (breakfast radius 300 m).
    stall = c.outlet("breakfast", dx=700, dy=0, name="老王早点", address="檀营路 88 号")
    florist = c.outlet("florist", name="花语")
    body = client.get(f"/api/v1/circles/{c.id}/evaluation", headers=make.headers(c.staff)).get_json()
    basic, quality = body["presence"]["basic"], body["presence"]["quality"]

    # The contract's shape stays: type → outlet ids.
    assert basic["evidence"]["convenience_store"] == [store.id] and basic["evidence"]["breakfast"] == [stall.id]
    inside = basic["evidence_outlets"]["convenience_store"][0]
    assert inside == {
        "id": store.id,
        "name": "好邻居便利店",
        "address": "檀营路 1 号",
        "type": "convenience_store",
        "type_name": "便利店",
        "distance_m": 0,
        "inside": True,
        "status": "approved",
        "status_name": "在营",
    }
    outside = basic["evidence_outlets"]["breakfast"][0]
    assert outside["name"] == "老王早点" and outside["inside"] is False and 190 <= outside["distance_m"] <= 210
    assert quality["evidence_outlets"]["florist"][0]["name"] == "花语"
    assert [o["id"] for o in basic["evidence_outlets"]["breakfast"]] == basic["evidence"]["breakfast"]

    # A frozen result keeps the details as they were when frozen.
    bureau = make.user("bureau", cities=[c.circle.city])
    frozen = freeze_snapshot(bureau, c.id, str(now_local().year))
    db.session.get(Outlet, florist.id).name = "花语（已更名）"
    db.session.flush()
    assert frozen.result["presence"]["quality"]["evidence_outlets"]["florist"][0]["name"] == "花语"


def test_the_ledger_lists_the_outlets(client, world, make):
    c = world.circle(half_m=500)
    c.outlet("convenience_store", name="好邻居便利店", address="檀营路 1 号")
    c.outlet("breakfast", dx=700, dy=0, name="老王早点", address="檀营路 88 号")
    response = client.get(f"/api/v1/circles/{c.id}/ledger.xlsx", headers=make.headers(c.staff))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    sheet = book["有没有 依据网点"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    store = next(r for r in rows if "好邻居便利店" in r)
    assert store[:4] == ["便利店", "基本保障类", "好邻居便利店", "檀营路 1 号"] and store[4] == 0 and store[6] == "在营"
    stall = next(r for r in rows if "老王早点" in r)
    assert stall[5] == "圈外步行半径内" and 190 <= stall[4] <= 210
    table = [[cell.value for cell in row] for row in book["有没有分型表"].iter_rows()]
    basis = next(r for r in table if r and r[0] == "便利店")[3]
    assert "好邻居便利店（檀营路 1 号，圈内，在营，编号" in basis
