"""Grade of the 好不好 score, final type and stars, and the whole evaluation of one snapshot."""

from datetime import UTC, datetime

from app.evaluation.kpis import circle_kpis
from app.evaluation.presence import TYPE_NAMES, provisional_type, score_presence
from app.evaluation.profiles import ScoringProfile
from app.evaluation.service_quality import score_service
from app.evaluation.snapshot import CircleSnapshot

GRADE_NAMES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}


def grade_of(score: float, profile: ScoringProfile) -> str:
    for key in ("excellent", "good", "pass"):
        if score >= profile.grade[key]:
            return key
    return "fail"


def final_of(provisional: str | None, grade: str, profile: ScoringProfile) -> tuple[str | None, int, str | None]:
    """The provisional type stands only when 好不好 is 合格 or better (五十问 第四十九问)."""
    if provisional is None:
        lowest = profile.provisional["basic"]
        return None, 0, f"有没有得分低于 {lowest} 分，未达到基础型"
    if grade == "fail":
        return None, 0, f"好不好评价为不合格（低于 {profile.grade['pass']} 分），不予定型"
    return provisional, int(profile.stars[provisional]), None


def evaluate(snapshot: CircleSnapshot, profile: ScoringProfile, computed_at: datetime | None = None) -> dict:
    """The contract's evaluation result for one circle: every item with points, rule and evidence."""
    presence = score_presence(snapshot, profile)
    provisional = provisional_type(presence["score"], profile)
    service = score_service(snapshot, profile)
    grade = grade_of(service["score"], profile)
    final_type, stars, reason = final_of(provisional, grade, profile)
    return {
        "circle_id": snapshot.circle_id,
        "circle_name": snapshot.name,
        "profile": profile.code,
        "profile_version": profile.tag,
        "computed_at": (computed_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "as_of": snapshot.at.isoformat() if snapshot.at else None,
        "presence": presence,
        "provisional_type": provisional,
        "provisional_type_name": TYPE_NAMES.get(provisional),
        "service": service,
        "grade": grade,
        "grade_name": GRADE_NAMES[grade],
        "final_type": final_type,
        "final_type_name": TYPE_NAMES.get(final_type),
        "stars": stars,
        "not_rated_reason": reason,
        "kpis": circle_kpis(snapshot, profile),
        "inputs": dict(snapshot.inputs),
    }
