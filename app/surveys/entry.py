"""Answers community staff enter from paper forms and phone interviews (纸质问卷、电话访问), one by one or
as a CSV batch, also for past periods (a 2025 period the bureau opened in 2026 gets its paper forms).
Each answer keeps its source, who entered it and the day it was given; the evaluation counts it by that
day and its evidence says how many answers came this way."""

import csv
import io

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from app.circles.service import get_circle
from app.common.errors import AppError, Conflict, ValidationFailed, translate
from app.common.extensions import db
from app.common.policy import authorize_circle
from app.common.tx import atomic, write_use_case
from app.surveys.models import MerchantSurveyResponse, SurveyResponse
from app.surveys.schemas import MerchantPaperResponseSchema, PaperResponseSchema
from app.surveys.service import local_today, period_of
from app.surveys.signals import answers_changed

MAX_ROWS = 5000
LIST_COLUMNS = ("needed_types", "oversupplied_types")
SCORE_COLUMNS = ("type_satisfaction", "service_satisfaction", "business_outlook", "environment_satisfaction")
FORMS = {
    "resident": (SurveyResponse, PaperResponseSchema),
    "merchant": (MerchantSurveyResponse, MerchantPaperResponseSchema),
}


def _answered_on(period, answered_on):
    day = answered_on or min(local_today(), period.ends_on)
    if not (period.starts_on <= day <= period.ends_on):
        raise ValidationFailed(details={"answered_on": [f"应在调查期 {period.starts_on} 至 {period.ends_on} 之内"]})
    if day > local_today():
        raise ValidationFailed(details={"answered_on": ["不能晚于今天"]})
    return day


def _add(staff, circle, period, model, data: dict):
    """One entered answer inside a savepoint (a duplicate form number fails alone)."""
    data = dict(data)
    answered_on = _answered_on(period, data.pop("answered_on", None))
    comment = (data.pop("comment", None) or "").strip() or None
    row = model(
        period_id=period.id,
        circle_id=circle.id,
        user_id=None,
        entered_by=staff.id,
        answered_on=answered_on,
        comment=comment,
        comment_check="staff" if comment else None,  # transcribed by staff, not a resident's own post
        **data,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            f"问卷编号 {data.get('respondent_ref')} 本期已录入",
            code="duplicate_respondent",
            details={"respondent_ref": data.get("respondent_ref")},
        ) from None
    return row


def _scope(staff, circle_id: int, period_id: int):
    circle = get_circle(circle_id)
    authorize_circle(staff, circle.id)
    return circle, period_of(circle.id, period_id)


@write_use_case
def enter_one(staff, form: str, circle_id: int, period_id: int, data: dict):
    circle, period = _scope(staff, circle_id, period_id)
    row = _add(staff, circle, period, FORMS[form][0], data)
    return row


def _rows(raw: bytes):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("文件不是 UTF-8 编码的 CSV", details={"file": ["应为 UTF-8 编码的 CSV"]}) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValidationFailed("CSV 没有表头", details={"file": ["首行应为表头"]})
    return reader


def _cell(key: str, value: str):
    if key in LIST_COLUMNS:
        return [v.strip() for v in value.split("|") if v.strip()]
    if key in SCORE_COLUMNS and value.isdigit():
        return int(value)  # the schema then checks the range; anything else it reports as not a number
    return value


def _clean(record: dict) -> dict:
    """CSV cells → the schema's input: blanks dropped, scores as numbers, lists split on |."""
    return {
        key.strip(): _cell(key.strip(), value.strip())
        for key, value in record.items()
        if key is not None and isinstance(value, str) and value.strip()
    }


def enter_batch(staff, form: str, circle_id: int, period_id: int, file) -> dict:
    """A CSV of forms: good rows are saved, bad rows reported with their line and reason."""
    circle, period = _scope(staff, circle_id, period_id)
    model, schema = FORMS[form]
    created, errors = 0, []
    reader = _rows(file.read())
    with atomic():
        for line, record in enumerate(reader, start=2):
            if line - 1 > MAX_ROWS:
                errors.append({"row": line, "reason": f"每批最多 {MAX_ROWS} 行，其余未录入", "details": {}})
                break
            try:
                _add(staff, circle, period, model, schema().load(_clean(record)))
                created += 1
            except ValidationError as error:
                errors.append({"row": line, "reason": "字段有误", "details": translate(error.messages)})
            except AppError as error:
                errors.append({"row": line, "reason": error.message, "details": error.details or {}})
    if created:
        answers_changed.send(__name__, circle_ids=[circle.id])
    return {"created": created, "failed": len(errors), "errors": errors}
