"""Merchant credit level (商户信用等级 A/B/C/D) and the staff findings it draws on.

The rule is data (RULE below) so that it can be shown to the merchant word for word and changed
without touching the evaluation code. Inputs, per outlet:
- rating_avg / rating_count: the outlet's visible ratings (hidden and pending ones do not count);
- upheld_complaints: residents' `service_quality` needs about the outlet that staff accepted
  into the needs list (accepted, in progress, reopened or done), created in the last WINDOW_DAYS days;
- serious_findings / major_findings / minor_findings: staff inspection findings in the last
  WINDOW_DAYS days, by severity.

Levels are checked in the order D, C, A; the first whose conditions hold applies, otherwise B.
Ratings only count from MIN_RATINGS ratings on, so one angry (or friendly) rating cannot set a level.
"""

import operator
from datetime import date, timedelta

from sqlalchemy import func, select

from app.common.clock import now_local
from app.common.errors import Forbidden, ValidationFailed
from app.common.extensions import db
from app.common.policy import authorize_circle, can_manage_outlet
from app.common.tx import write_use_case
from app.demands.models import ACCEPTED_STATUSES, Demand
from app.outlets.models import Outlet
from app.outlets.service import get_outlet
from app.ratings.models import FINDING_SEVERITIES, StaffFinding

WINDOW_DAYS = 365
MIN_RATINGS = 5
UPHELD_STATUSES = ACCEPTED_STATUSES  # accepted into the needs list; rejected and merged ones are not
LEVEL_NAMES = {"A": "A 级（诚信优秀）", "B": "B 级（诚信良好）", "C": "C 级（需改进）", "D": "D 级（重点监管）"}

_OPS = {">=": operator.ge, "<": operator.lt, "==": operator.eq}
RULE = [
    {
        "level": "D",
        "when": "any",
        "conditions": [
            {"input": "serious_findings", "op": ">=", "value": 1, "text": "近一年有严重问题检查记录"},
            {"input": "upheld_complaints", "op": ">=", "value": 5, "text": "近一年经核实的服务质量投诉不少于 5 件"},
            {"input": "rating_avg", "op": "<", "value": 2.5, "text": f"评价不少于 {MIN_RATINGS} 条且平均分低于 2.5"},
        ],
    },
    {
        "level": "C",
        "when": "any",
        "conditions": [
            {"input": "major_findings", "op": ">=", "value": 1, "text": "近一年有较重问题检查记录"},
            {"input": "minor_findings", "op": ">=", "value": 3, "text": "近一年轻微问题检查记录不少于 3 次"},
            {"input": "upheld_complaints", "op": ">=", "value": 2, "text": "近一年经核实的服务质量投诉不少于 2 件"},
            {"input": "rating_avg", "op": "<", "value": 3.5, "text": f"评价不少于 {MIN_RATINGS} 条且平均分低于 3.5"},
        ],
    },
    {
        "level": "A",
        "when": "all",
        "conditions": [
            {"input": "rating_count", "op": ">=", "value": 10, "text": "评价不少于 10 条"},
            {"input": "rating_avg", "op": ">=", "value": 4.5, "text": "平均分不低于 4.5"},
            {"input": "upheld_complaints", "op": "==", "value": 0, "text": "近一年无经核实的服务质量投诉"},
            {"input": "findings", "op": "==", "value": 0, "text": "近一年无检查问题记录"},
        ],
    },
]
DEFAULT_LEVEL = "B"


def rule_text() -> str:
    lines = []
    for step in RULE:
        joiner = "，且" if step["when"] == "all" else "；或"
        lines.append(f"{step['level']} 级：" + joiner.join(c["text"] for c in step["conditions"]))
    lines.append(f"其余为 {DEFAULT_LEVEL} 级。按 D、C、A 的顺序判断，先满足者为准。")
    lines.append(f"评价只计入展示中的评价；少于 {MIN_RATINGS} 条时评价分不参与 C、D 判断。")
    return "\n".join(lines)


def _holds(condition: dict, inputs: dict) -> bool:
    value = inputs[condition["input"]]
    if condition["input"] == "rating_avg":
        if value is None or (inputs["rating_count"] < MIN_RATINGS and condition["op"] == "<"):
            return False
    return _OPS[condition["op"]](value, condition["value"])


def level_for(inputs: dict) -> tuple[str, list[str]]:
    """(level, the condition texts that decided it) for the inputs named in RULE."""
    for step in RULE:
        held = [c["text"] for c in step["conditions"] if _holds(c, inputs)]
        if (step["when"] == "any" and held) or (step["when"] == "all" and len(held) == len(step["conditions"])):
            return step["level"], held
    return DEFAULT_LEVEL, ["未达到 A 级条件，也无 C、D 级情形"]


def count_upheld_complaints(outlet_id: int, since: date) -> int:
    """service_quality needs about the outlet that staff accepted into the needs list since the date."""
    return db.session.scalar(
        select(func.count()).where(
            Demand.kind == "service_quality",
            Demand.outlet_id == outlet_id,
            Demand.status.in_(UPHELD_STATUSES),
            Demand.created_at >= since,
        )
    )


def credit_inputs(outlet: Outlet, today: date, count_upheld=count_upheld_complaints) -> dict:
    since = today - timedelta(days=WINDOW_DAYS)
    by_severity = dict(
        db.session.execute(
            select(StaffFinding.severity, func.count())
            .where(StaffFinding.outlet_id == outlet.id, StaffFinding.found_on > since)
            .group_by(StaffFinding.severity)
        ).all()
    )
    findings = {f"{s}_findings": by_severity.get(s, 0) for s in FINDING_SEVERITIES}
    return {
        "rating_avg": None if outlet.rating_avg is None else round(outlet.rating_avg, 2),
        "rating_count": outlet.rating_count or 0,
        "upheld_complaints": count_upheld(outlet.id, since),
        **findings,
        "findings": sum(findings.values()),
        "window": {"from": since.isoformat(), "to": today.isoformat()},
    }


def credit_of(outlet: Outlet, today: date | None = None, count_upheld=count_upheld_complaints) -> dict:
    today = today or now_local().date()
    inputs = credit_inputs(outlet, today, count_upheld)
    level, reasons = level_for(inputs)
    return {
        "outlet_id": outlet.id,
        "level": level,
        "level_name": LEVEL_NAMES[level],
        "reasons": reasons,
        "inputs": inputs,
        "rule": RULE,
        "rule_text": rule_text(),
    }


def outlet_credit(user, outlet_id: int) -> dict:
    """The credit level for the outlet's owner, or staff in scope and admins."""
    outlet = get_outlet(outlet_id, public=False)
    if not can_manage_outlet(user, outlet):
        raise Forbidden("只有该网点的商户或负责的工作人员可以查看", code="not_outlet_owner")
    return credit_of(outlet)


@write_use_case
def record_finding(user, outlet_id: int, severity: str, note: str, found_on: date | None) -> StaffFinding:
    """Staff in scope record what an inspection of the outlet found."""
    outlet = get_outlet(outlet_id, public=False)
    authorize_circle(user, outlet.circle_id)
    today = now_local().date()
    found_on = found_on or today
    if found_on > today:
        raise ValidationFailed(details={"found_on": ["检查日期不能晚于今天"]})
    finding = StaffFinding(
        outlet_id=outlet.id, severity=severity, note=note.strip(), staff_user_id=user.id, found_on=found_on
    )
    db.session.add(finding)
    return finding


def list_findings(user, outlet_id: int) -> list[StaffFinding]:
    outlet = get_outlet(outlet_id, public=False)
    authorize_circle(user, outlet.circle_id)
    return list(
        db.session.scalars(
            select(StaffFinding)
            .where(StaffFinding.outlet_id == outlet.id)
            .order_by(StaffFinding.found_on.desc(), StaffFinding.id.desc())
        )
    )


def finding_dict(finding: StaffFinding) -> dict:
    return {
        "id": finding.id,
        "outlet_id": finding.outlet_id,
        "severity": finding.severity,
        "severity_name": FINDING_SEVERITIES[finding.severity],
        "note": finding.note,
        "staff_user_id": finding.staff_user_id,
        "found_on": finding.found_on,
        "created_at": finding.created_at,
    }
