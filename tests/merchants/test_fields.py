"""One list of the outlet fields merchants write (app/merchants/fields.py): every field the API accepts reaches
the outlet by exactly one rule, and every column the payload writes exists."""

from app.merchants import fields
from app.merchants.schemas import OutletFieldsSchema
from app.outlets.models import Outlet

# Converted at the API edge before the payload is built: the point into lng/lat, WeChat's code into the phone.
AT_THE_EDGE = {"location": ("lng", "lat"), "coord": (), "phone_code": ("phone",)}


def test_every_accepted_field_reaches_the_outlet_by_one_rule(app):
    accepted = set(OutletFieldsSchema().fields)
    payload_keys = set()
    for name in accepted:
        payload_keys.update(AT_THE_EDGE.get(name, (name,)))
    as_given = set(fields.COLUMNS) - set(fields.DERIVED)
    with_rules = set(fields.WITH_RULES)
    assert payload_keys == as_given | with_rules, "a field the API accepts has no rule, or a rule no field"
    assert as_given & with_rules == set()
    assert set(fields.SENT_AS_GIVEN) <= payload_keys
    assert set(fields.REVIEWED) <= payload_keys
    assert set(fields.DERIVED.values()) <= payload_keys


def test_columns_exist_on_outlets(app):
    columns = set(Outlet.__table__.columns.keys())
    assert set(fields.COLUMNS) <= columns
    assert set(fields.DERIVED) <= set(fields.COLUMNS)
