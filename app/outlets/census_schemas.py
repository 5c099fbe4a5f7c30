from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.schemas import BaseSchema, CommaList, PageQuerySchema, PageSchema, PointSchema, coord_field
from app.outlets.importer import FORMATS, IMPORT_COORDS, SOURCES
from app.outlets.models import OUTLET_STATUSES


def _known_statuses(values):
    unknown = sorted(set(values) - set(OUTLET_STATUSES))
    if unknown:
        raise ValidationError(f"未知的状态：{', '.join(unknown)}")


def _ids(values):
    if len(values) > 200:
        raise ValidationError("一次最多 200 个编号")
    for value in values:
        if not value.isdigit() or int(value) < 1:
            raise ValidationError(f"编号应为正整数：{value}")


class CensusQuerySchema(PageQuerySchema):
    coord = coord_field()
    circle_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    community_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    ids = CommaList(load_default=list, validate=_ids, metadata={"description": "按编号取网点（如评价依据），逗号分隔"})
    q = fields.String(
        load_default=None, validate=validate.Length(max=50), metadata={"description": "名称、地址或拼音首字母"}
    )
    types = CommaList(load_default=list, metadata={"description": "业态代码，逗号分隔"})
    status = CommaList(load_default=list, validate=_known_statuses)
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class CensusExportQuerySchema(CensusQuerySchema):
    class Meta:
        exclude = ("page", "page_size", "ids")


class CensusOutletSchema(BaseSchema):
    id = fields.Integer()
    external_id = fields.String(allow_none=True)
    name = fields.String()
    types = fields.List(fields.String())
    status = fields.String()
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    location = fields.Nested(PointSchema)
    circle_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    chain = fields.Boolean()
    online = fields.Boolean()
    mobile = fields.Boolean()
    synthetic = fields.Boolean()
    distance_m = fields.Integer(allow_none=True, metadata={"description": "到所选生活圈边界的距离（圈内为 0）"})
    updated_at = fields.DateTime()


class CensusPageSchema(PageSchema):
    items = fields.List(fields.Nested(CensusOutletSchema))


class ImportFormSchema(BaseSchema):
    format = fields.String(load_default=None, validate=validate.OneOf((*FORMATS, *SOURCES)))
    coord = fields.String(load_default=None, validate=validate.OneOf(IMPORT_COORDS))
    dry_run = fields.Boolean(load_default=False)


class ImportFileSchema(BaseSchema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})

    @validates_schema
    def _named(self, data, **kwargs):
        if not getattr(data.get("file"), "filename", None):
            raise ValidationError("请选择文件", "file")


class RowErrorSchema(BaseSchema):
    row = fields.Integer(metadata={"description": "CSV/Excel 行号（表头为第 1 行）；GeoJSON 为 features 下标"})
    reason = fields.String()
    external_id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class ImportReportSchema(BaseSchema):
    created = fields.Integer()
    updated = fields.Integer()
    failed = fields.Integer()
    outside = fields.Integer(metadata={"description": "不在任何生活圈内的网点数（仍保留、可搜索）"})
    dry_run = fields.Boolean()
    errors = fields.List(fields.Nested(RowErrorSchema))
    warnings = fields.List(fields.String())
