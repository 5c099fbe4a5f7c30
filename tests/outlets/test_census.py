"""The console's outlet census: scope, filters, distances for evidence, CSV export, upload import with report."""

import io

from openpyxl import Workbook

from tests.factories import MIYUN, error_code

CENSUS = "/api/v1/staff/outlets"


def test_list_filters_and_scope(client, make, db):
    circle = make.circle()
    other = make.circle(center=(116.95, 40.45))
    shop = make.outlet(name="好邻居便利店", address="鼓楼东街 1 号")
    make.outlet(name="老王药店", types=("pharmacy",))
    make.outlet(name="关了的面馆", types=("breakfast",), status="closed")
    far = make.outlet(lng=116.95, lat=40.45, name="远处小店")
    staff = make.headers(make.user("staff", circles=[circle]))
    db.session.flush()
    page = client.get(CENSUS, query_string={"circle_id": circle.id}, headers=staff).get_json()
    assert page["total"] == 3 and {o["name"] for o in page["items"]} >= {"好邻居便利店", "关了的面馆"}
    assert all(o["distance_m"] == 0 for o in page["items"])

    def names(**query):
        answer = client.get(CENSUS, query_string={"circle_id": circle.id, **query}, headers=staff).get_json()
        return {o["name"] for o in answer["items"]}

    assert names(q="hlj") == {"好邻居便利店"} and names(q="东街") == {"好邻居便利店"}
    assert names(types="pharmacy") == {"老王药店"} and names(status="closed") == {"关了的面馆"}
    # by id (evidence), with the distance to this circle: the far shop lies ~10 km outside
    by_id = client.get(CENSUS, query_string={"circle_id": circle.id, "ids": f"{shop.id},{far.id}"}, headers=staff)
    distances = {o["id"]: o["distance_m"] for o in by_id.get_json()["items"]}
    assert distances[shop.id] == 0 and distances[far.id] > 5000
    refused = client.get(CENSUS, query_string={"circle_id": other.id}, headers=staff)
    assert refused.status_code == 403 and error_code(refused) == "out_of_scope"
    assert error_code(client.get(CENSUS, headers=staff)) == "out_of_scope"
    bad = client.get(CENSUS, query_string={"circle_id": circle.id, "status": "gone", "ids": "x"}, headers=staff)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["details"]) == {"status", "ids"}


def test_export_is_reimportable_csv(client, make, db):
    circle = make.circle()
    make.outlet(name="好邻居便利店", external_id="c-1", chain=True)
    staff = make.headers(make.user("staff", circles=[circle]))
    response = client.get(f"{CENSUS}.csv", query_string={"circle_id": circle.id, "coord": "wgs84"}, headers=staff)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig").splitlines()
    assert text[0] == "external_id,name,types,lng,lat,coord,address,phone,chain,online"
    assert text[1].startswith(f"c-1,好邻居便利店,convenience_store,{MIYUN[0]:.7f}")


def _upload(client, headers, name, data, **query):
    return client.post(
        f"{CENSUS}/import",
        query_string=query,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_import_reports_each_bad_row_and_loads_the_rest(client, make, db):
    make.circle()
    admin = make.headers(make.user("admin"))
    csv_data = (
        "external_id,name,types,lng,lat,coord\n"
        f"x-1,新开的早餐店,breakfast,{MIYUN[0]},{MIYUN[1]},wgs84\n"
        f"x-2,,breakfast,{MIYUN[0]},{MIYUN[1]},wgs84\n"
        f"x-3,怪店,no_such_type,{MIYUN[0]},{MIYUN[1]},wgs84\n"
    ).encode()
    report = _upload(client, admin, "census.csv", csv_data)
    assert report.status_code == 200, report.get_json()
    body = report.get_json()
    assert (body["created"], body["failed"]) == (1, 2)
    assert [e["row"] for e in body["errors"]] == [3, 4] and body["errors"][1]["external_id"] == "x-3"
    dry = _upload(client, admin, "census.csv", csv_data, dry_run="true").get_json()
    assert dry["dry_run"] is True and dry["updated"] == 1


def test_import_reads_excel_and_refuses_bad_files(client, make, db):
    make.circle()
    admin = make.headers(make.user("admin"))
    book = Workbook()
    book.active.append(["external_id", "name", "types", "lng", "lat", "coord"])
    book.active.append(["x-9", "表格里的店", "pharmacy", MIYUN[0], MIYUN[1], "wgs84"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _upload(client, admin, "普查.xlsx", buffer.getvalue()).get_json()["created"] == 1
    broken = _upload(client, admin, "普查.xlsx", b"not a workbook")
    assert broken.status_code == 422 and "Excel" in broken.get_json()["error"]["details"]["file"][0]
    unknown = _upload(client, admin, "census.pdf", b"%PDF")
    assert unknown.status_code == 422 and "file" in unknown.get_json()["error"]["details"]
    staff = make.headers(make.user("staff", circles=[make.circle(center=(116.95, 40.45))]))
    assert _upload(client, staff, "census.csv", b"name\n").status_code == 403
