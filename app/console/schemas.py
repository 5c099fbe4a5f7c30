from marshmallow import fields

from app.auth.schemas import UserSchema
from app.common.schemas import BaseSchema


class ConsoleSessionSchema(BaseSchema):
    expires_in = fields.Integer(metadata={"description": "登录有效期（秒）；令牌在 HttpOnly Cookie 中，不在响应体"})
    user = fields.Nested(UserSchema)


class MapTilesSchema(BaseSchema):
    url = fields.String(allow_none=True, metadata={"description": "瓦片地址模板（{z}/{x}/{y}）；为空时画在纯色底图上"})
    coord = fields.String(metadata={"description": "瓦片的坐标系：gcj02（高德、腾讯）或 wgs84（天地图）"})
    subdomains = fields.String(metadata={"description": "{s} 的取值，如 1234"})
    attribution = fields.String()


class ConsoleSettingsSchema(BaseSchema):
    tiles = fields.Nested(MapTilesSchema)
