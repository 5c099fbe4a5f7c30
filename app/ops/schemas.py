from marshmallow import Schema, fields


class LivenessSchema(Schema):
    status = fields.String(metadata={"description": "ok：进程在应答"})


class CheckSchema(Schema):
    status = fields.String(metadata={"description": "ok / down / degraded（Redis 不可用，已降级）/ behind / unknown"})
    error = fields.String(metadata={"description": "失败时的错误类型"})
    current = fields.List(fields.String(), metadata={"description": "数据库中的迁移版本"})
    head = fields.List(fields.String(), metadata={"description": "代码中的最新迁移版本"})


class ChecksSchema(Schema):
    database = fields.Nested(CheckSchema)
    migrations = fields.Nested(CheckSchema)
    redis = fields.Nested(CheckSchema)


class ReadinessSchema(Schema):
    status = fields.String(metadata={"description": "ready / not_ready"})
    checks = fields.Nested(ChecksSchema)
