"""Rows of the ledgers in the official tables' layout: 有没有分型表, 好不好评价表, 一单, 一账."""

from app.common.workbook import pct
from app.evaluation.evidence import outlet_line
from app.evaluation.grading import GRADE_NAMES
from app.taxonomy.registry import taxonomy

PRESENCE_HEADERS = ["评价指标", "评价内容", "分值", "评价标准", "得分"]
SERVICE_HEADERS = ["序号", "评价类别", "评价指标", "分值", "评分标准", "得分", "来源", "依据"]
GAP_HEADERS = ["优先级", "社区", "业态/事项", "要求", "现有", "缺口", "依据", "居民需求（条）", "支持人数", "六个一"]
BLIND_HEADERS = ["业态", "服务半径（米）", "盲区面积（平方米）", "盲区占生活圈面积", "未覆盖人口（估算）"]
BLIND_HEADERS += ["未覆盖人口占比", "盲区数（处）", "人口估算口径"]
SOURCES = {"computed": "平台计算", "staff": "工作人员评定"}
BASES = {"communities": "按社区人口面积加权", "area": "按面积估算", "online": "线上当日服务覆盖"}


def name_of(code: str) -> str:
    found = taxonomy().business_type(code)
    return found.name_zh if found else code


def _boxes(codes, present) -> str:
    return " ".join(("☑" if code in present else "□") + name_of(code) for code in codes)


def presence_rows(result: dict) -> list[list]:
    basic, quality = result["presence"]["basic"], result["presence"]["quality"]
    rows = [
        [
            "基本保障类业态",
            _boxes(basic["present"] + basic["missing"], basic["present"]),
            basic["max"],
            basic["rule"],
            basic["score"],
        ],
        [
            "品质提升类业态",
            _boxes(quality["present"], quality["present"]),
            quality["max"],
            quality["rule"],
            quality["score"],
        ],
        [
            "总分",
            f"初步分型：{result.get('provisional_type_name') or '未达到基础型'}",
            100,
            "≥90 品质型；80-90 提升型；70-80 基础型",
            result["presence"]["score"],
        ],
        [],
        ["业态", "类别", "是否具备", "依据网点（名称、地址、到边界距离、状态、编号）", "得分"],
    ]
    for code in basic["present"] + basic["missing"]:
        ids = basic["evidence"].get(code, [])
        rows.append(
            [
                name_of(code),
                "基本保障类",
                "是" if ids else "否",
                _basis(basic, code),
                basic["points_each"] if ids else 0,
            ]
        )
    for code in quality["present"]:
        rows.append([name_of(code), "品质提升类", "是", _basis(quality, code), quality["points_each"]])
    return rows


def _basis(table: dict, code: str):
    """The outlets behind a type, readable; bare ids only for results frozen before details existed."""
    outlets = (table.get("evidence_outlets") or {}).get(code)
    if outlets is None:
        return table["evidence"].get(code, [])
    return "\n".join(outlet_line(o) for o in outlets)


EVIDENCE_HEADERS = ["业态", "类别", "网点名称", "地址", "到边界距离（米）", "位置", "状态", "网点编号"]


def evidence_rows(result: dict) -> list[list]:
    """One row per outlet the 有没有 table counts: the ledger's list of evidence staff can check on site."""
    rows = []
    for label, table in (("基本保障类", result["presence"]["basic"]), ("品质提升类", result["presence"]["quality"])):
        for code, outlets in (table.get("evidence_outlets") or {}).items():
            for o in outlets:
                where = "圈内" if o.get("inside") else "圈外步行半径内"
                status = o.get("status_name") or o.get("status")
                rows.append(
                    [name_of(code), label, o.get("name"), o.get("address"), o.get("distance_m"), where, status, o["id"]]
                )
    return rows


def service_rows(result: dict) -> list[list]:
    rows = []
    for i in result["service"]["items"]:
        parts = i["evidence"].get("parts")
        basis = "；".join(f"{p['name']} {p['points']}/{p['max']}" for p in parts) if parts else i["evidence"]
        rows.append([i["no"], i["group"], i["name"], i["max"], i["rule"], i["points"], SOURCES[i["source"]], basis])
    rows.append(
        ["", "总分", "", 100, "≥90 优秀；80-90 良好；70-80 合格；<70 不合格", result["service"]["score"], "", ""]
    )
    final = result.get("final_type_name") or f"未定型：{result['not_rated_reason']}"
    rows.append(
        ["", "评价等级", GRADE_NAMES[result["grade"]], "", f"最终类型：{final}（{result['stars']} 星）", "", "", ""]
    )
    return rows


def gap_rows(lines: list[dict], circle_name: str | None = None) -> list[list]:
    return [
        ([circle_name] if circle_name else [])
        + [
            ln["priority"],
            ln["community_name"] or "全圈",
            ln["what_name"],
            ln["required"],
            ln["have"],
            ln["missing"],
            ln["why"],
            len(ln["needs"]),
            ln["support_count"],
            ln["six_ones"],
        ]
        for ln in lines
    ]


def blind_rows(features: list[dict], circle_name: str | None = None) -> list[list]:
    rows = []
    for f in features:
        p = f["properties"]
        rows.append(
            ([circle_name] if circle_name else [])
            + [
                p["name_zh"],
                p["radius_m"],
                p["area_m2"],
                pct(p["area_share"]),
                p["people_uncovered"],
                pct(p["people_share_uncovered"]),
                p["parts"],
                BASES.get(p["people_basis"], p["people_basis"]),
            ]
        )
    return rows
