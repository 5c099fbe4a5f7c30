from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from app.common.schemas import PHONE, BaseSchema, LocatedSchema, PageQuerySchema, PageSchema, PointSchema, coord_field
from app.merchants.models import APPLICATION_KINDS, APPLICATION_STATUSES, CLAIM_STATUSES
from app.repair.schemas import PriceInSchema, PriceSchema, ServiceAreaSchema, SlotInSchema, SlotSchema
from app.taxonomy.checks import KnownTypes
from app.uploads.schemas import UploadId

# 统一社会信用代码 (18 characters) or an older registration number.
LICENCE_NUMBER = validate.Regexp(r"^[0-9A-Za-z\-]{6,40}$", error="营业执照号码格式有误")


class CertificationSchema(BaseSchema):
    licence_upload_id = UploadId(
        load_default=None, allow_none=True, metadata={"description": "营业执照照片/PDF 的上传 id"}
    )
    licence_number = fields.String(load_default=None, validate=LICENCE_NUMBER)
    licence_exempt = fields.Boolean(load_default=False, metadata={"description": "免办营业执照的摊点"})
    exempt_note = fields.String(load_default=None, validate=validate.Length(max=200))

    @validates_schema
    def _one_basis(self, data, **kwargs):
        if data.get("licence_exempt"):
            if not (data.get("exempt_note") or "").strip():
                raise ValidationError("免办营业执照需说明理由", "exempt_note")
        elif data.get("licence_upload_id") is None and not data.get("licence_number"):
            raise ValidationError("请上传营业执照、填写执照号码，或声明免办")


class OutletFieldsSchema(LocatedSchema):
    """Outlet data a merchant submits; coordinates in `coord` (GCJ-02 unless told), WGS-84 once parsed."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    types = fields.List(fields.String(), required=True, validate=[validate.Length(min=1), KnownTypes(most=10)])
    location = fields.Nested(PointSchema, required=True)
    address = fields.String(required=True, validate=validate.Length(min=1, max=255))
    phone = fields.String(load_default=None, validate=PHONE)
    phone_code = fields.String(
        load_default=None, validate=validate.Length(max=200), metadata={"description": "getPhoneNumber 返回的 code"}
    )
    hours = fields.Dict(load_default=dict, metadata={"description": '每周营业时间 {"mon": [["07:00", "20:00"]]}'})
    open_24h = fields.Boolean(load_default=False)
    closed_on_holidays = fields.Boolean(load_default=False)
    photo_ids = fields.List(UploadId(), load_default=list, validate=validate.Length(max=9))
    certification = fields.Nested(CertificationSchema, required=True)
    chain = fields.Boolean(load_default=False)
    brand = fields.String(load_default=None, validate=validate.Length(max=80))
    online_platforms = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)), load_default=list, validate=validate.Length(max=10)
    )
    delivery = fields.Boolean(load_default=False)
    accepts_cash = fields.Boolean(load_default=True)
    elderly_friendly = fields.Boolean(load_default=False)
    qr_payment = fields.Boolean(load_default=False)
    services = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "增值服务（代收快递、缴费……）"},
    )
    avg_spend = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=100_000))
    description = fields.String(load_default=None, validate=validate.Length(max=1000))
    repair_services = fields.List(fields.Nested(PriceInSchema), load_default=list)
    mobile = fields.Boolean(load_default=False, metadata={"description": "流动摊点（按 schedule 出摊）"})
    schedule = fields.List(fields.Nested(SlotInSchema), load_default=list)
    on_site_service = fields.Boolean(load_default=False, metadata={"description": "上门维修（按 service_area 服务）"})
    service_area = fields.Nested(ServiceAreaSchema, load_default=None)

    @post_load
    def _strip(self, data, **kwargs):
        for key in ("name", "address", "brand"):
            if isinstance(data.get(key), str):
                data[key] = data[key].strip()
        if "name" in data and not data["name"]:
            raise ValidationError({"name": ["不能为空"]})
        return data


class ApplicationCreateSchema(OutletFieldsSchema):
    not_listed = fields.Boolean(
        load_default=False,
        metadata={
            "description": "附近已登记的同名网点（409 outlet_already_listed 列出的）都不是本店：仍新建；"
            "是本店时请认领（POST /merchant/claims）"
        },
    )


class OutletEditSchema(OutletFieldsSchema):
    """The same fields, each optional (load with partial=True): only what is sent changes."""


class ApplicationListQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(APPLICATION_STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(APPLICATION_KINDS))
    circle_id = fields.Integer(load_default=None)
    coord = coord_field()


class CoordQuerySchema(BaseSchema):
    coord = coord_field()


class ReasonSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ApproveSchema(BaseSchema):
    note = fields.String(load_default=None, validate=validate.Length(max=500))


class StatusChangeSchema(BaseSchema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(("approved", "suspended", "closed")),
        metadata={"description": "approved 恢复营业 / suspended 暂停营业 / closed 已关闭"},
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class AuditQuerySchema(PageQuerySchema):
    coord = coord_field(metadata={"description": "修改前后内容中位置的坐标系"})
    outlet_id = fields.Integer(load_default=None)
    application_id = fields.Integer(load_default=None)
    claim_id = fields.Integer(load_default=None)
    circle_id = fields.Integer(load_default=None)


class DuplicateSchema(BaseSchema):
    kind = fields.String(metadata={"description": "outlet 已有网点 / application 其他待审申请"})
    id = fields.Integer()
    name = fields.String()
    types = fields.List(fields.String())
    status = fields.String()
    address = fields.String(allow_none=True)
    location = fields.Nested(PointSchema)
    distance_m = fields.Integer()
    name_similarity = fields.Float()
    same_types = fields.Boolean()
    likely = fields.Boolean(metadata={"description": "名称相近且业态相同：很可能重复"})


class ApplicationSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    name = fields.String()
    applicant_user_id = fields.Integer(allow_none=True)
    outlet_id = fields.Integer(allow_none=True)
    circle_id = fields.Integer(allow_none=True)
    location = fields.Nested(PointSchema, allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "驳回或退回修改的理由"})
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    payload = fields.Dict(metadata={"description": "申请内容（坐标系同请求）"})


class ApplicationDetailSchema(ApplicationSchema):
    photo_urls = fields.List(fields.Dict())
    licence_url = fields.String(allow_none=True)
    possible_duplicates = fields.List(fields.Nested(DuplicateSchema))


class ApplicationPageSchema(PageSchema):
    items = fields.List(fields.Nested(ApplicationSchema))


class OwnedOutletSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    types = fields.List(fields.String())
    status = fields.String()
    location = fields.Nested(PointSchema)
    address = fields.String()
    phone = fields.String(allow_none=True)
    hours = fields.Dict()
    circle_id = fields.Integer(allow_none=True)
    certification = fields.Dict()
    photos = fields.List(fields.Raw())
    mobile = fields.Boolean()
    on_site_service = fields.Boolean()
    service_area = fields.Dict(allow_none=True)
    price_list = fields.List(fields.Nested(PriceSchema))
    schedule = fields.List(fields.Nested(SlotSchema))
    pending_change = fields.Nested(ApplicationSchema, allow_none=True)


class OwnedOutletPageSchema(PageSchema):
    items = fields.List(fields.Nested(OwnedOutletSchema))


class OutletEditResultSchema(BaseSchema):
    outlet = fields.Nested(OwnedOutletSchema)
    published = fields.List(fields.String(), metadata={"description": "已直接生效的字段"})
    change_request = fields.Nested(ApplicationSchema, allow_none=True, metadata={"description": "待审核的修改"})


class ClaimCreateSchema(BaseSchema):
    outlet_id = fields.Integer(required=True, metadata={"description": "要认领的已登记网点"})
    licence_no = fields.String(required=True, validate=LICENCE_NUMBER, metadata={"description": "营业执照号码"})
    licence_photo_id = UploadId(required=True, metadata={"description": "营业执照照片的上传 id（用途 certification）"})
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    phone_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "小程序 getPhoneNumber 返回的 code（微信核验的手机号）"},
    )

    @post_load
    def _strip(self, data, **kwargs):
        data["contact_name"] = data["contact_name"].strip()
        if not data["contact_name"]:
            raise ValidationError({"contact_name": ["不能为空"]})
        data["licence_no"] = data["licence_no"].upper()
        return data


class ClaimSchema(BaseSchema):
    id = fields.Integer()
    outlet_id = fields.Integer()
    outlet_name = fields.String()
    status = fields.String(
        metadata={
            "description": "pending 待审核 / disputed 有争议（网点已有商户或另有认领）/ approved 已通过 / "
            "rejected 未通过 / withdrawn 已撤回 / superseded 网点已转给他人"
        }
    )
    dispute = fields.String(allow_none=True, metadata={"description": "有争议的原因"})
    reason = fields.String(allow_none=True, metadata={"description": "驳回理由或审核备注"})
    licence_no = fields.String()
    contact_name = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "微信核验的手机号（打码）"})
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class ClaimOutletSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    status = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "网点登记的电话"})
    owner_user_id = fields.Integer(allow_none=True)
    circle_id = fields.Integer(allow_none=True)


class StaffClaimSchema(ClaimSchema):
    claimant_user_id = fields.Integer(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "微信核验的手机号"})
    phone_matches_listing = fields.Boolean(metadata={"description": "与网点登记的电话一致"})
    licence_url = fields.String(allow_none=True, metadata={"description": "营业执照照片（带 24 小时令牌）"})
    outlet = fields.Nested(ClaimOutletSchema)
    other_open_claims = fields.List(fields.Integer(), metadata={"description": "同一网点其他未决认领的 id"})
    reviewer_user_id = fields.Integer(allow_none=True)


class ClaimPageSchema(PageSchema):
    items = fields.List(fields.Nested(ClaimSchema))


class StaffClaimPageSchema(PageSchema):
    items = fields.List(fields.Nested(StaffClaimSchema))


class ClaimListQuerySchema(PageQuerySchema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf((*CLAIM_STATUSES, "open")),
        metadata={"description": "open：待审核与有争议的（有争议在前）"},
    )
    circle_id = fields.Integer(load_default=None)
    outlet_id = fields.Integer(load_default=None)


class ClaimApproveSchema(BaseSchema):
    note = fields.String(load_default=None, validate=validate.Length(max=500))
    transfer = fields.Boolean(
        load_default=False, metadata={"description": "网点已有商户时：确认将网点转给该申请人（裁决争议）"}
    )
