"""Business-type codes coming in: the one check, with the one message, for schemas and use cases alike."""

from marshmallow import ValidationError, validate

from app.common.errors import ValidationFailed
from app.taxonomy.registry import taxonomy


def type_error(codes, most: int | None = None) -> str | None:
    """What is wrong with these business-type codes (unknown ones first), or None."""
    unknown = sorted(set(codes) - taxonomy().type_codes)
    if unknown:
        return f"未知的业态代码：{', '.join(unknown)}"
    if most is not None and len(codes) > most:
        return f"最多 {most} 种业态"
    return None


def check_types(codes, field: str = "types", *, required: bool = False) -> None:
    """In a use case: 422 naming the field for an unknown code (or, when required, for none at all)."""
    error = type_error(codes)
    if error is None and required and not codes:
        error = "至少选择一种业态"
    if error is not None:
        raise ValidationFailed(details={field: [error]})


def check_type(code: str | None, field: str = "business_type") -> None:
    """One optional code, in a use case."""
    if code is not None:
        check_types([code], field)


class KnownTypes(validate.Validator):
    """In a schema: a list of known business-type codes, at most `most` of them."""

    def __init__(self, most: int | None = None):
        self.most = most

    def __call__(self, codes):
        error = type_error(codes, self.most)
        if error is not None:
            raise ValidationError(error)
        return codes
