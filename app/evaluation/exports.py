"""Excel ledgers (一图一单一账两表) per circle and per city, with the official tables' Chinese layout."""

from sqlalchemy import select

from app.circles.models import CIRCLE_TYPES, Circle
from app.circles.service import get_circle
from app.common.extensions import db
from app.common.policy import authorize_circle
from app.common.workbook import add_sheet, new_workbook, pct, to_bytes
from app.demands.stats import needs_list, projects_list
from app.evaluation import reports
from app.evaluation.grading import GRADE_NAMES
from app.evaluation.ledger_rows import (
    BLIND_HEADERS,
    EVIDENCE_HEADERS,
    GAP_HEADERS,
    PRESENCE_HEADERS,
    SERVICE_HEADERS,
    blind_rows,
    evidence_rows,
    gap_rows,
    name_of,
    presence_rows,
    service_rows,
)
from app.evaluation.presence import TYPE_NAMES
from app.evaluation.service import evaluate_circle, get_city, today


def _projects_sheets(book, circle: Circle):
    projects = projects_list(circle.id)
    timetable = [
        [
            n,
            p.title,
            name_of(p.business_type) if p.business_type else "",
            p.urgency,
            p.planned_start,
            p.planned_end,
            p.needs,
            p.status,
        ]
        for n, p in enumerate(projects, 1)
    ]
    add_sheet(
        book,
        "设施配置时间表",
        f"{circle.name} 便民服务设施配置时间表（按轻重缓急）",
        ["序号", "项目", "业态", "轻重缓急", "计划开始", "计划完成", "关联需求（条）", "状态"],
        timetable,
        [6, 30, 16, 10, 12, 12, 12, 10],
    )
    progress = [[p.title, p.status, p.progress, p.planned_end, p.actual_start, p.actual_end] for p in projects]
    add_sheet(
        book,
        "建设进度表",
        f"{circle.name} 生活圈建设工作进度表",
        ["项目", "状态", "进度（%）", "计划完成", "实际开始", "实际完成"],
        progress,
        [30, 10, 10, 12, 12, 12],
    )


def _needs_sheet(book, circle: Circle):
    rows = [
        [
            n.id,
            n.kind,
            name_of(n.business_type) if n.business_type else "",
            n.text,
            n.address,
            n.status,
            n.priority,
            n.supports,
            n.created_at,
            n.project_id,
            n.confirmation,
        ]
        for n in needs_list(circle.id)
    ]
    add_sheet(
        book,
        "需求清单",
        f"{circle.name} 居民需求清单",
        ["编号", "类型", "业态", "内容", "地址", "状态", "轻重缓急", "支持人数", "提交时间", "关联项目", "居民确认"],
        rows,
        [8, 10, 14, 40, 24, 8, 8, 8, 12, 8, 8],
    )


def circle_workbook(actor, circle_id: int) -> tuple[str, bytes]:
    circle = get_circle(circle_id)
    authorize_circle(actor, circle_id)
    result = evaluate_circle(circle.id)
    book = new_workbook()
    add_sheet(
        book,
        "有没有分型表",
        f"{circle.name} 一刻钟便民生活圈业态“有没有”分型表",
        PRESENCE_HEADERS,
        presence_rows(result),
        [16, 60, 8, 50, 8],
    )
    add_sheet(
        book,
        "有没有 依据网点",
        f"{circle.name} 有没有分型表依据网点（名称、地址、业态、到边界距离、状态）",
        EVIDENCE_HEADERS,
        evidence_rows(result),
        [16, 12, 24, 30, 14, 14, 10, 10],
    )
    add_sheet(
        book,
        "好不好评价表",
        f"{circle.name} 一刻钟便民生活圈服务“好不好”评价表",
        SERVICE_HEADERS,
        service_rows(result),
        [6, 10, 16, 6, 60, 6, 12, 50],
    )
    add_sheet(
        book,
        "一单 缺什么补什么",
        f"{circle.name} 缺什么补什么清单（{today().isoformat()}）",
        GAP_HEADERS,
        gap_rows(reports.gap_lines(circle)),
        [8, 14, 22, 8, 8, 8, 60, 12, 10, 8],
    )
    add_sheet(
        book,
        "一账 步行盲区",
        f"{circle.name} 步行服务盲区台账",
        BLIND_HEADERS,
        blind_rows(reports.blind_spot_features(circle)),
        [24, 12, 16, 14, 14, 14, 10, 18],
    )
    _projects_sheets(book, circle)
    _needs_sheet(book, circle)
    return f"circle-{circle.id}-ledger-{today().isoformat()}.xlsx", to_bytes(book)


def city_workbook(actor, city_id: int) -> tuple[str, bytes]:
    city = get_city(city_id)
    view = reports.city_evaluation(actor, city_id)
    circles = {c.id: c for c in db.session.scalars(select(Circle).where(Circle.city_id == city.id))}
    book = new_workbook()
    summary = [
        [
            n,
            r["name"],
            CIRCLE_TYPES.get(r["circle_type"], ""),
            r["planned_year"],
            r["presence_score"],
            TYPE_NAMES.get(r["provisional_type"], "—"),
            r["service_score"],
            GRADE_NAMES[r["grade"]],
            TYPE_NAMES.get(r["final_type"], "未定型"),
            r["stars"],
            r["not_rated_reason"],
            r["kpis"]["outlets"],
            pct(r["kpis"]["chain_rate"]),
            pct(r["kpis"]["online_rate"]),
            pct(r["kpis"]["quality_brand_share"]),
            pct(r["kpis"]["satisfaction"]),
            pct(r["kpis"]["six_ones_coverage"]),
        ]
        for n, r in enumerate(view["circles"], 1)
    ]
    add_sheet(
        book,
        "生活圈评价汇总",
        f"{city.name} 一刻钟便民生活圈评价汇总（{view['computed_on']}）",
        [
            "序号",
            "生活圈",
            "类型",
            "计划年份",
            "有没有得分",
            "初步分型",
            "好不好得分",
            "评价等级",
            "最终类型",
            "星级",
            "未定型原因",
            "网点数",
            "连锁化率",
            "线上平台入驻率",
            "优质品牌占比",
            "满意度",
            "六个一覆盖率",
        ],
        summary,
        [6, 20, 16, 8, 10, 10, 10, 8, 10, 6, 30, 8, 10, 12, 12, 8, 12],
    )
    add_sheet(
        book,
        "指标与目标",
        f"{city.name} 主要指标",
        ["指标", "目标", "现值", "是否达标"],
        [
            [t["name"], pct(t["target"]), pct(t["value"]), {True: "是", False: "否", None: "—"}[t["met"]]]
            for t in view["targets"]
        ],
        [20, 10, 10, 10],
    )
    add_sheet(
        book,
        "建设进度",
        f"{city.name} 生活圈建设进度（{view['plan'] or '无规划'}）",
        ["年份", "目标比例", "目标数量", "计划数量", "已建成（定型）数量", "已建成比例", "是否达标"],
        [
            [
                p["year"],
                pct(p["target_share"]),
                p["target_count"],
                p["planned_count"],
                p["built_count"],
                pct(p["built_share"]),
                {True: "是", False: "否", None: "—"}[p["on_track"]],
            ]
            for p in view["progress"]
        ],
        [8, 10, 10, 10, 16, 12, 10],
    )
    gaps, blind = [], []
    for row in view["circles"]:
        circle = circles[row["circle_id"]]
        gaps += gap_rows(reports.gap_lines(circle), circle.name)
        blind += blind_rows(reports.blind_spot_features(circle), circle.name)
    add_sheet(
        book,
        "一单汇总",
        f"{city.name} 缺什么补什么清单汇总",
        ["生活圈", *GAP_HEADERS],
        gaps,
        [18, 8, 14, 22, 8, 8, 8, 60, 12, 10, 8],
    )
    add_sheet(
        book,
        "一账汇总",
        f"{city.name} 步行服务盲区台账汇总",
        ["生活圈", *BLIND_HEADERS],
        blind,
        [18, 24, 12, 16, 14, 14, 14, 10, 18],
    )
    return f"city-{city.id}-ledger-{today().isoformat()}.xlsx", to_bytes(book)
