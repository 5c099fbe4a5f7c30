from dataclasses import asdict

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.common.schemas import PageSchema
from app.taxonomy.registry import taxonomy

blp = Blueprint("taxonomy", __name__, url_prefix="/api/v1", description="业态分类、小修小补服务项目、配置标准")


class BusinessTypeSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    tier = fields.String(metadata={"description": "basic 基本保障类 / quality 品质提升类 / feature 特色"})
    group = fields.String(allow_none=True)
    level = fields.String(metadata={"description": "community 按社区配置 / circle 按生活圈配置"})
    radius_m = fields.Integer()
    walk_minutes = fields.Integer()
    six_ones = fields.String(allow_none=True, metadata={"description": "六个一：一店/一早/一菜/一修/一老/一小"})
    notes = fields.String()


class RepairServiceSchema(Schema):
    code = fields.String()
    name_zh = fields.String()


class BusinessTypePageSchema(PageSchema):
    items = fields.List(fields.Nested(BusinessTypeSchema))


class RepairServicePageSchema(PageSchema):
    items = fields.List(fields.Nested(RepairServiceSchema))


class StandardsSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    source = fields.String()
    rules = fields.Dict()
    elderly = fields.Dict()
    quality = fields.Dict()


def _whole_list(items):
    return {"items": items, "page": 1, "page_size": len(items), "has_more": False, "total": len(items)}


@blp.route("/business-types")
class BusinessTypes(MethodView):
    @blp.response(200, BusinessTypePageSchema)
    def get(self):
        """业态分类（基本保障类、品质提升类、特色业态）及步行半径"""
        return _whole_list([asdict(t) for t in taxonomy().business_types])


@blp.route("/repair-service-items")
class RepairServiceItems(MethodView):
    @blp.response(200, RepairServicePageSchema)
    def get(self):
        """小修小补服务项目"""
        return _whole_list([asdict(s) for s in taxonomy().repair_services])


@blp.route("/standards")
class Standards(MethodView):
    @blp.response(200, StandardsSchema(many=True))
    def get(self):
        """各城市的配置标准（因城施策）"""
        return [asdict(p) for p in taxonomy().standards.values()]
