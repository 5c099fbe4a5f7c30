"""GeoReport v2 field names as the spec spells them (lat/long are WGS-84)."""

import re

from marshmallow import ValidationError, fields, pre_load, validate

from app.common.schemas import BaseSchema, CommaList


def _open_closed(values):
    if not values or set(values) - {"open", "closed"}:
        raise ValidationError("取值必须是：open, closed")


def _ids(values):
    if not all(v.isdigit() for v in values):
        raise ValidationError("应为逗号分隔的请求编号")


_ATTRIBUTE = re.compile(r"^attribute\[(\w{1,40})\]$")


class RequestCreateSchema(BaseSchema):
    @pre_load
    def _attributes(self, data, **kwargs):
        """Form posts carry `attribute[code]=value` pairs; they become one `attribute` mapping."""
        data = dict(data)
        attributes = dict(data.get("attribute") or {}) if isinstance(data.get("attribute"), dict) else {}
        for key in [k for k in data if _ATTRIBUTE.match(k)]:
            attributes[_ATTRIBUTE.match(key).group(1)] = data.pop(key)
        if attributes:
            data["attribute"] = attributes
        return data

    api_key = fields.String(required=True)
    attribute = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.String(validate=validate.Length(max=80)),
        metadata={"description": "服务定义中的属性：attribute[existing_reason]、attribute[outlet_id]"},
    )
    jurisdiction_id = fields.String()
    service_code = fields.String(required=True, validate=validate.Length(min=1, max=80))
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    long = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    address_string = fields.String(validate=validate.Length(max=255))
    address_id = fields.String()
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    # Accepted for compatibility; personal contact data is not stored.
    email = fields.String()
    device_id = fields.String()
    account_id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    phone = fields.String()
    media_url = fields.String()


class RequestQuerySchema(BaseSchema):
    jurisdiction_id = fields.String()

    @pre_load
    def _unescaped_plus(self, data, **kwargs):
        """`2024-05-01T00:00:00+08:00` sent without URL-encoding arrives with a space for the plus."""
        data = dict(data)
        for key in ("start_date", "end_date"):
            if isinstance(data.get(key), str):
                data[key] = data[key].strip().replace(" ", "+")
        return data

    service_request_id = CommaList(load_default=list, validate=_ids)
    service_code = CommaList(load_default=list)
    status = CommaList(load_default=list, validate=_open_closed)
    start_date = fields.DateTime(load_default=None)
    end_date = fields.DateTime(load_default=None)


class JurisdictionQuerySchema(BaseSchema):
    jurisdiction_id = fields.String()


class ServiceSchema(BaseSchema):
    service_code = fields.String()
    service_name = fields.String()
    description = fields.String()
    metadata = fields.Boolean()
    type = fields.String()
    keywords = fields.String()
    group = fields.String()


class RequestCreatedSchema(BaseSchema):
    service_request_id = fields.String()
    token = fields.String(metadata={"description": "可用 GET /tokens/{token} 查询请求编号"})
    service_notice = fields.String()
    account_id = fields.String(allow_none=True)


class AttributeValueSchema(BaseSchema):
    key = fields.String()
    name = fields.String()


class AttributeSchema(BaseSchema):
    variable = fields.Boolean()
    code = fields.String()
    datatype = fields.String(metadata={"description": "string / number / datetime / text / singlevaluelist …"})
    required = fields.Boolean()
    datatype_description = fields.String()
    order = fields.Integer()
    description = fields.String()
    values = fields.List(fields.Nested(AttributeValueSchema))


class ServiceDefinitionSchema(BaseSchema):
    service_code = fields.String()
    attributes = fields.List(fields.Nested(AttributeSchema))


class RequestTokenSchema(BaseSchema):
    service_request_id = fields.String()
    token = fields.String()


class RequestSchema(BaseSchema):
    service_request_id = fields.String()
    status = fields.String(metadata={"description": "open / closed"})
    status_notes = fields.String(allow_none=True)
    service_name = fields.String()
    service_code = fields.String()
    description = fields.String()
    agency_responsible = fields.String()
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.String()
    updated_datetime = fields.String()
    expected_datetime = fields.String(allow_none=True)
    address = fields.String()
    address_id = fields.String(allow_none=True)
    zipcode = fields.String(allow_none=True)
    lat = fields.Float()
    long = fields.Float()
    media_url = fields.String(allow_none=True)
