from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import BaseSchema, CommaList, LocatedSchema, PointSchema, coord_field
from app.demands.models import PRIORITIES, PROJECT_STATUSES
from app.demands.schemas import DemandSchema


def _known_statuses(values):
    unknown = sorted(set(values) - set(PROJECT_STATUSES))
    if unknown:
        raise ValidationError(f"未知的状态：{', '.join(unknown)}")


class ProjectWriteSchema(LocatedSchema):
    business_type = fields.String(allow_none=True)
    title = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    location = fields.Nested(PointSchema, allow_none=True)
    address = fields.String(validate=validate.Length(max=255))
    urgency = fields.String(validate=validate.OneOf(tuple(PRIORITIES)), metadata={"description": "轻重缓急"})
    status = fields.String(validate=validate.OneOf(tuple(PROJECT_STATUSES)))
    progress = fields.Integer(strict=True, validate=validate.Range(0, 100), metadata={"description": "进度 %"})
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    actual_start = fields.Date(allow_none=True)
    actual_end = fields.Date(allow_none=True)
    demand_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)),
        validate=validate.Length(max=100),
        metadata={"description": "关联已受理的需求"},
    )


class ProjectCreateSchema(ProjectWriteSchema):
    circle_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))


class ProjectUpdateSchema(ProjectWriteSchema):
    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not set(data) - {"coord"}:
            raise ValidationError("至少修改一项", "_schema")


class ProjectQuerySchema(BaseSchema):
    coord = coord_field()
    status = CommaList(load_default=list, validate=_known_statuses)


class ProjectSchema(BaseSchema):
    next_statuses = fields.List(fields.String(), metadata={"description": "可改为的状态（项目状态机）"})
    id = fields.Integer()
    circle_id = fields.Integer()
    title = fields.String()
    business_type = fields.String(allow_none=True)
    business_type_name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    location = fields.Nested(PointSchema, allow_none=True)
    address = fields.String()
    urgency = fields.String()
    urgency_name = fields.String()
    status = fields.String()
    status_name = fields.String()
    progress = fields.Integer()
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    actual_start = fields.Date(allow_none=True)
    actual_end = fields.Date(allow_none=True)
    delayed = fields.Boolean(metadata={"description": "已过计划完成日期仍未完成"})
    demand_count = fields.Integer(metadata={"description": "关联的公开需求数"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProjectDetailSchema(ProjectSchema):
    demands = fields.List(fields.Nested(DemandSchema))


class TimetableRowSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    business_type = fields.String(allow_none=True)
    business_type_name = fields.String(allow_none=True)
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    status = fields.String()


class TimetableGroupSchema(BaseSchema):
    urgency = fields.String()
    urgency_name = fields.String()
    projects = fields.List(fields.Nested(TimetableRowSchema))


class ProgressRowSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_name = fields.String()
    progress = fields.Integer()
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    actual_start = fields.Date(allow_none=True)
    actual_end = fields.Date(allow_none=True)
    delayed = fields.Boolean()
    demand_count = fields.Integer()


class PlanSchema(BaseSchema):
    circle_id = fields.Integer()
    items = fields.List(fields.Nested(ProjectSchema))
    timetable = fields.List(
        fields.Nested(TimetableGroupSchema), metadata={"description": "设施补充时序表（按轻重缓急）"}
    )
    progress = fields.List(fields.Nested(ProgressRowSchema), metadata={"description": "建设进度表"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
