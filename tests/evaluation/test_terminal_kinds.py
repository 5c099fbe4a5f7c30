"""Smart terminal kinds of an outlet (facts._terminal_kinds): by type (open 24 h when the kind asks for it) or
by service, each kind once, in the profile's order."""

from app.evaluation.facts import _terminal_kinds, _terminal_rules

TERMINALS = [
    {"code": "vending", "types": ["vending_machine"], "services": ["vending"]},
    {"code": "store_24h", "types": ["smart_store", "convenience_store"], "open_24h": True},
    {"code": "parcel_locker", "types": ["parcel_point"], "services": ["parcel_locker", "vending"]},
]


def test_kinds_by_type_by_service_and_24h_in_the_profiles_order():
    rules = _terminal_rules(TERMINALS)
    assert _terminal_kinds(["parcel_point", "vending_machine"], [], False, rules) == ["vending", "parcel_locker"]
    assert _terminal_kinds(["convenience_store"], None, False, rules) == []  # the kind needs 24 h opening
    assert _terminal_kinds(["convenience_store"], None, True, rules) == ["store_24h"]
    # A service two kinds list, and a type and a service of the same kind: each kind once.
    assert _terminal_kinds(["vending_machine"], ["vending", "parcel_locker"], False, rules) == [
        "vending",
        "parcel_locker",
    ]
    assert _terminal_kinds(["bakery"], ["wifi"], True, rules) == []
