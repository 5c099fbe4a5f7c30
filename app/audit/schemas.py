from marshmallow import fields

from app.common.schemas import BaseSchema, PageSchema


class AuditEntrySchema(BaseSchema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor_user_id = fields.Integer(allow_none=True)
    action = fields.String()
    outlet_id = fields.Integer(allow_none=True)
    application_id = fields.Integer(allow_none=True)
    claim_id = fields.Integer(allow_none=True, metadata={"description": "认领申请"})
    circle_id = fields.Integer(allow_none=True)
    subject_user_id = fields.Integer(allow_none=True, metadata={"description": "账号变更：被操作的账号"})
    city_id = fields.Integer(allow_none=True, metadata={"description": "城市设置变更：城市"})
    reason = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEntrySchema))
