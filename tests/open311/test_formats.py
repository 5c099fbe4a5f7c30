"""Open311 as other city systems speak it, over real HTTP: XML (the spec's default) and JSON, service
definitions, jurisdiction_id, tokens, the spec's error lists, path-safe service codes with legacy aliases."""

from xml.etree import ElementTree

import pytest
import requests

from app.demands.models import Demand
from app.open311.service import create_api_key
from tests.demands.world import submit, triage
from tests.factories import MIYUN

V2 = "/open311/v2"


@pytest.fixture
def api_key(world):
    return create_api_key("hotline-12345")


def xml(response) -> ElementTree.Element:
    assert response.headers["Content-Type"].startswith("text/xml"), response.headers["Content-Type"]
    assert response.content.startswith(b"<?xml")
    return ElementTree.fromstring(response.content)


def texts(element: ElementTree.Element) -> dict:
    return {child.tag: child.text for child in element}


def test_services_xml_matches_json(live, world):
    as_json = requests.get(f"{live}{V2}/services.json", timeout=10).json()
    root = xml(requests.get(f"{live}{V2}/services.xml", timeout=10))
    assert root.tag == "services"
    services = [texts(s) for s in root.findall("service")]
    assert len(services) == len(as_json) == 60
    first = services[0]
    assert set(first) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert first["service_code"] == as_json[0]["service_code"] and first["metadata"] in ("true", "false")
    assert all(":" not in s["service_code"] for s in services)  # path-safe


def test_service_definitions_json_and_xml(live, world):
    definition = requests.get(f"{live}{V2}/services/missing-wet_market.json", timeout=10).json()
    assert definition["service_code"] == "missing-wet_market"
    [reason] = definition["attributes"]
    assert (reason["code"], reason["datatype"], reason["required"]) == ("existing_reason", "singlevaluelist", False)
    assert {"too_expensive", "closed", "poor"} <= {v["key"] for v in reason["values"]}
    root = xml(requests.get(f"{live}{V2}/services/missing-wet_market.xml", timeout=10))
    assert root.tag == "service_definition" and root.findtext("service_code") == "missing-wet_market"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("code") == "existing_reason" and attribute.findtext("required") == "false"
    assert [v.findtext("key") for v in attribute.findall("values/value")][:3] == ["too_expensive", "closed", "poor"]
    # The old colon code still works, escaped or not, and answers with the new code.
    for path in ("missing_type:wet_market", "missing_type%3Awet_market"):
        legacy = requests.get(f"{live}{V2}/services/{path}.json", timeout=10)
        assert legacy.status_code == 200 and legacy.json()["service_code"] == "missing-wet_market"
    quality = requests.get(f"{live}{V2}/services/service_quality.json", timeout=10).json()
    assert [a["code"] for a in quality["attributes"]] == ["outlet_id"]
    assert requests.get(f"{live}{V2}/services/other.json", timeout=10).json()["attributes"] == []
    missing = requests.get(f"{live}{V2}/services/unicorns.xml", timeout=10)
    assert missing.status_code == 404
    errors = xml(missing)
    assert errors.tag == "errors" and errors.find("error").findtext("code") == "404"


def test_post_xml_with_attributes_then_token_and_read_back_xml(live, world, db, api_key):
    form = {
        "api_key": api_key,
        "service_code": "missing-breakfast",
        "lat": str(MIYUN[1]),
        "long": str(MIYUN[0]),
        "description": "这边缺一家早餐店",
        "attribute[existing_reason]": "too_expensive",
        "jurisdiction_id": world.circle.city.code,
    }
    created = requests.post(f"{live}{V2}/requests.xml", data=form, timeout=10)
    assert created.status_code == 201, created.text
    root = xml(created)
    assert root.tag == "service_requests"
    row = texts(root.find("request"))
    request_id, token = row["service_request_id"], row["token"]
    assert row["account_id"] is None and "-" in token and "/" not in token
    db.session.expire_all()
    demand = db.session.get(Demand, int(request_id))
    assert (demand.kind, demand.business_type, demand.existing_reason) == ("missing_type", "breakfast", None)
    by_token = requests.get(f"{live}{V2}/tokens/{token}.json", timeout=10).json()
    assert by_token == [{"service_request_id": request_id, "token": token}]
    token_xml = xml(requests.get(f"{live}{V2}/tokens/{token}.xml", timeout=10))
    assert token_xml.find("request").findtext("service_request_id") == request_id
    forged = requests.get(f"{live}{V2}/tokens/{request_id}-0000000000.json", timeout=10)
    assert forged.status_code == 404 and forged.json()[0]["code"] == 404
    one = xml(requests.get(f"{live}{V2}/requests/{request_id}.xml", timeout=10))
    item = texts(one.find("request"))
    assert (item["service_code"], item["status"], item["description"]) == (
        "missing-breakfast",
        "open",
        "这边缺一家早餐店",
    )
    assert float(item["lat"]) == pytest.approx(MIYUN[1]) and item["media_url"] is None
    listed = xml(requests.get(f"{live}{V2}/requests.xml?service_code=missing-breakfast", timeout=10))
    assert [r.findtext("service_request_id") for r in listed.findall("request")] == [request_id]


def test_attribute_values_are_checked(live, world, api_key):
    form = {"api_key": api_key, "service_code": "missing-breakfast", "lat": str(MIYUN[1]), "long": str(MIYUN[0])}
    bad = requests.post(
        f"{live}{V2}/requests.xml",
        data={**form, "description": "缺", "attribute[existing_reason]": "cheap"},
        timeout=10,
    )
    assert bad.status_code == 400
    descriptions = [e.findtext("description") for e in xml(bad).findall("error")]
    assert any("attribute[existing_reason]" in d for d in descriptions)
    unknown = requests.post(
        f"{live}{V2}/requests.json", data={**form, "description": "缺", "attribute[x]": "1"}, timeout=10
    )
    assert unknown.status_code == 400 and any("attribute[x]" in e["description"] for e in unknown.json())


def test_jurisdiction_id_is_a_city_code(live, world, client):
    mine = submit(client, world.h.resident)
    city = world.circle.city.code
    ids = requests.get(f"{live}{V2}/requests.json?jurisdiction_id={city}", timeout=10).json()
    assert [r["service_request_id"] for r in ids] == [str(mine["id"])]
    assert requests.get(f"{live}{V2}/services.xml?jurisdiction_id={city}", timeout=10).status_code == 200
    unknown = requests.get(f"{live}{V2}/requests.xml?jurisdiction_id=atlantis", timeout=10)
    assert unknown.status_code == 404
    assert "jurisdiction_id" in xml(unknown).find("error").findtext("description")


@pytest.mark.parametrize(
    "path,status",
    [
        ("/services.csv", 404),
        ("/nothing.xml", 404),
        ("/requests.xml?status=pending", 400),
        ("/requests/999999.xml", 404),
    ],
)
def test_errors_are_the_spec_list_in_the_format_asked(live, world, path, status):
    response = requests.get(f"{live}{V2}{path}", timeout=10)
    assert response.status_code == status
    if ".xml" in path:
        errors = xml(response)
        assert errors.tag == "errors" and {e.findtext("code") for e in errors.findall("error")} == {str(status)}
    else:
        body = response.json()
        assert isinstance(body, list) and body[0]["code"] == status


def test_legacy_codes_in_filters_and_posts(live, world, client, api_key):
    need = submit(client, world.h.resident, business_type="pharmacy")
    triage(client, world.h.staff, need["id"], status="accepted")
    legacy = requests.get(f"{live}{V2}/requests.json?service_code=missing_type:pharmacy", timeout=10).json()
    assert [r["service_code"] for r in legacy] == ["missing-pharmacy"]
    form = {
        "api_key": api_key,
        "service_code": "missing_type:pharmacy",
        "lat": str(MIYUN[1]),
        "long": str(MIYUN[0]),
        "description": "还想要一家药店",
    }
    assert requests.post(f"{live}{V2}/requests.json", data=form, timeout=10).status_code == 201


def test_openapi_lists_the_xml_and_definition_routes(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {
        "/open311/v2/services.{fmt}",
        "/open311/v2/services/{service_code}.{fmt}",
        "/open311/v2/tokens/{token}.{fmt}",
        "/open311/v2/requests.{fmt}",
        "/open311/v2/requests/{request_id}.{fmt}",
    } <= set(paths)
    [fmt] = [p for p in paths["/open311/v2/services.{fmt}"]["parameters"] if p["name"] == "fmt"]
    assert fmt["schema"]["enum"] == ["json", "xml"]


def test_a_wrong_method_is_405_in_the_spec_format(live, world):
    as_xml = requests.delete(f"{live}{V2}/services.xml", timeout=10)
    assert as_xml.status_code == 405 and as_xml.headers["Allow"] == "GET"
    assert xml(as_xml).find("error").findtext("code") == "405"
    as_json = requests.put(f"{live}{V2}/requests.json", timeout=10)
    assert as_json.status_code == 405 and set(as_json.headers["Allow"].split(", ")) == {"GET", "POST"}
    assert as_json.json()[0]["code"] == 405
    assert requests.delete(f"{live}{V2}/nothing.json", timeout=10).status_code == 404
