"""City view (KPIs, build progress), the 一图 GeoJSON and the Excel ledgers."""

import dataclasses
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.common.clock import now_local
from app.evaluation import profiles
from app.evaluation.profiles import get_profile

BASIC = get_profile("mofcom-2023").presence["basic_types"]


@pytest.fixture
def city(world, make, monkeypatch):
    """Miyun standards and plan; every 好不好 score passes, so circle A (all 15 basic + 10 quality = 80,
    提升型) is rated and circle B (one store) is not."""
    lenient = dataclasses.replace(get_profile("mofcom-2023"), grade={"excellent": 0, "good": 0, "pass": 0})
    monkeypatch.setattr(profiles, "scoring_profiles", lambda: {lenient.code: lenient})
    a = world.circle(standards="miyun", tier="tier1", population=6000, planned_year=2023, name="甲生活圈")
    b = world.circle(city=a.circle.city, population=4000, planned_year=2025, name="乙生活圈")
    for n, code in enumerate(BASIC):
        a.outlet(code, chain=n < 6, online=n < 3, quality_brand="time_honored" if n == 0 else None)
    for code in (
        "florist",
        "optician",
        "stationery",
        "sporting_goods",
        "electronics",
        "cosmetics",
        "baby_kids",
        "apparel",
        "bakery",
        "dessert",
    ):
        a.outlet(code)
    b.outlet("convenience_store", chain=True, online=True)
    a.survey([5] * 162 + [3] * 18, [5] * 144 + [3] * 36)  # 180 answers = 3% of 6000: 90% and 80%
    b.survey([5] * 10, [5] * 10)
    a.need("breakfast", supports=4, text="早餐店太少")
    a.project(title="新增早餐点", urgency="urgent", business_type="breakfast", planned_start=date(2025, 3, 1))
    a.project(title="菜市场改造", urgency="low", status="done", planned_start=date(2025, 1, 1))
    return a, b, make.headers(make.user("admin"))


def test_city_view_kpis_and_progress(client, city):
    a, b, admin = city
    body = client.get(f"/api/v1/cities/{a.circle.city_id}/evaluation", headers=admin).get_json()
    assert body["plan"].startswith("密云区") and body["standards"] == "miyun" and body["tier"] == "tier1"
    rows = {r["name"]: r for r in body["circles"]}
    assert rows["甲生活圈"]["presence_score"] == 80 and rows["甲生活圈"]["final_type"] == "improved"
    assert rows["甲生活圈"]["stars"] == 4 and rows["乙生活圈"]["final_type"] is None
    kpis_a = rows["甲生活圈"]["kpis"]
    assert kpis_a["outlets"] == 25 and kpis_a["chain_rate"] == 0.24 and kpis_a["online_rate"] == 0.12
    assert kpis_a["quality_brand_share"] == 0.04 and kpis_a["satisfaction"] == 0.85
    assert kpis_a["six_ones_covered"] == ["一店", "一早", "一菜", "一修"] and kpis_a["six_ones_coverage"] == 0.6667
    totals = body["kpis"]
    # 26 outlets in all: 7 chain, 4 online, 1 quality brand; satisfaction weighted by answers (180 and 10).
    assert (totals["outlets"], totals["chain_rate"], totals["online_rate"]) == (26, 0.2692, 0.1538)
    assert totals["satisfaction"] == round((0.85 * 180 + 1.0 * 10) / 190, 4) and totals["rated_circles"] == 1
    targets = {t["kpi"]: t for t in body["targets"]}
    assert targets["chain_rate"]["target"] == 0.3 and targets["chain_rate"]["met"] is False
    assert targets["satisfaction"]["met"] is False
    progress = {p["year"]: p for p in body["progress"]}
    assert set(progress) == {2023, 2024, 2025}
    # 40% / 80% / 100% of 2 circles → 1 / 2 / 2; planned by year from circles.planned_year.
    assert [progress[y]["target_count"] for y in (2023, 2024, 2025)] == [1, 2, 2]
    assert [progress[y]["planned_count"] for y in (2023, 2024, 2025)] == [1, 1, 2]
    this_year = now_local().year
    for y, row in progress.items():
        assert row["built_basis"] == ("live" if y >= this_year else "snapshots")


def test_progress_counts_frozen_assessments_for_past_years(client, city, make):
    a, b, admin = city
    past = now_local().year - 1
    bureau = make.headers(make.user("bureau", cities=[a.circle.city]))
    assert (
        client.post(
            f"/api/v1/staff/circles/{a.id}/evaluation-snapshots", json={"period": str(past)}, headers=bureau
        ).status_code
        == 201
    )
    body = client.get(f"/api/v1/cities/{a.circle.city_id}/evaluation?fresh=1", headers=admin).get_json()
    row = next((p for p in body["progress"] if p["year"] == past), None)
    if row is not None:
        assert row["built_count"] == 1 and row["built_basis"] == "snapshots"


def test_map_geojson(client, city):
    a, b, admin = city
    response = client.get(f"/api/v1/circles/{a.id}/map.geojson?coord=wgs84", headers=admin)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    kinds = [f["properties"]["kind"] for f in body["features"]]
    assert kinds.count("boundary") == 1 and kinds.count("outlet") == 25 and kinds.count("blind_spot") == 16
    outlet = next(f for f in body["features"] if f["properties"]["kind"] == "outlet")
    assert outlet["geometry"]["type"] == "Point" and len(outlet["geometry"]["coordinates"]) == 2


def _sheet_rows(book, name):
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def test_circle_ledger_workbook(client, city):
    a, b, admin = city
    response = client.get(f"/api/v1/circles/{a.id}/ledger.xlsx", headers=admin)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == [
        "有没有分型表",
        "有没有 依据网点",
        "好不好评价表",
        "一单 缺什么补什么",
        "一账 步行盲区",
        "设施配置时间表",
        "建设进度表",
        "需求清单",
    ]
    presence = _sheet_rows(book, "有没有分型表")
    assert presence[1] == ["评价指标", "评价内容", "分值", "评价标准", "得分"]
    assert presence[2][0] == "基本保障类业态" and presence[2][4] == 60 and presence[2][1].startswith("☑便利店")
    assert presence[4][0] == "总分" and presence[4][4] == 80 and presence[4][1] == "初步分型：提升型"
    service = _sheet_rows(book, "好不好评价表")
    assert service[1] == ["序号", "评价类别", "评价指标", "分值", "评分标准", "得分", "来源", "依据"]
    assert [r[0] for r in service[2:12]] == list(range(1, 11)) and service[3][2] == "业态满意"
    assert service[3][5] == 16 and service[4][5] == 10  # 90% and 80% satisfied
    gaps = _sheet_rows(book, "一单 缺什么补什么")
    assert gaps[1][:3] == ["优先级", "社区", "业态/事项"]
    breakfast = next(r for r in gaps[2:] if r[2] == "早餐店" and "每 3000 人" in r[6])
    assert breakfast[3:6] == [2, 1, 1] and breakfast[7] == 1 and breakfast[8] == 5 and breakfast[0] == 1
    blind = _sheet_rows(book, "一账 步行盲区")
    assert (
        blind[1][:3] == ["业态", "服务半径（米）", "盲区面积（平方米）"] and len(blind) == 2 + 16
    )  # Miyun's 17 types, 菜篮子 counted once
    assert book["一账 步行盲区"]["D3"].number_format == "0.0%"
    timetable = _sheet_rows(book, "设施配置时间表")
    assert [r[1] for r in timetable[2:]] == ["新增早餐点", "菜市场改造"]  # urgent before low
    assert timetable[2][3] == "紧急" and timetable[2][4].date() == date(2025, 3, 1)
    progress = _sheet_rows(book, "建设进度表")
    assert progress[3][:3] == ["菜市场改造", "已完成", 100]
    needs = _sheet_rows(book, "需求清单")
    assert needs[2][1:4] == ["缺少业态", "早餐店", "早餐店太少"] and needs[2][7] == 4


def test_city_ledger_workbook(client, city):
    a, b, admin = city
    response = client.get(f"/api/v1/cities/{a.circle.city_id}/ledger.xlsx", headers=admin)
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["生活圈评价汇总", "指标与目标", "建设进度", "一单汇总", "一账汇总"]
    summary = _sheet_rows(book, "生活圈评价汇总")
    assert summary[1][:5] == ["序号", "生活圈", "类型", "计划年份", "有没有得分"]
    assert summary[2][1:10] == ["甲生活圈", "老城区住宅生活圈", 2023, 80, "提升型", summary[2][6], "优秀", "提升型", 4]
    assert summary[3][1] == "乙生活圈" and summary[3][8] == "未定型"
    assert (
        book["生活圈评价汇总"]["M3"].value == pytest.approx(0.24)
        and book["生活圈评价汇总"]["M3"].number_format == "0.0%"
    )
    targets = _sheet_rows(book, "指标与目标")
    assert targets[2] == ["连锁化率", 0.3, pytest.approx(0.2692), "否"]
    progress = _sheet_rows(book, "建设进度")
    assert [r[0] for r in progress[2:]] == [2023, 2024, 2025]
    gaps = _sheet_rows(book, "一单汇总")
    assert {r[0] for r in gaps[2:]} == {"甲生活圈", "乙生活圈"}
