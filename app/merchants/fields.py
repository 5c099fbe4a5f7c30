"""The outlet fields a merchant writes: one list, and the rule for each, read by `payload.py` (what a submission
carries), `publish.py` (what an approved payload writes onto the outlet, what the audit snapshot shows) and the
review split (what waits for staff).

Every field a merchant sends is either a COLUMN, copied onto `outlets` as given, or has its own rule in
`publish.apply_payload` (WITH_RULES: a point, files, price and schedule rows, the on-site area and its flag, which
the database only accepts together with its area). DERIVED columns are never sent: `prepare` computes them.
"""

# Outlet columns a payload writes as given; also the audit snapshot's columns.
COLUMNS = (
    "name",
    "types",
    "address",
    "phone",
    "hours",
    "open_24h",
    "closed_on_holidays",
    "chain",
    "brand",
    "online",
    "online_platforms",
    "delivery",
    "accepts_cash",
    "elderly_friendly",
    "qr_payment",
    "services",
    "avg_spend",
    "description",
    "mobile",
    "certification",
)
# Computed by payload.prepare from what was sent: column ← the field it follows.
DERIVED = {"online": "online_platforms"}
# Written by their own rule in publish.apply_payload.
WITH_RULES = ("lng", "lat", "photo_ids", "repair_services", "schedule", "on_site_service", "service_area")
# What a merchant sends that is copied into the payload as given (the rest is checked or converted first).
SENT_AS_GIVEN = tuple(f for f in COLUMNS if f not in DERIVED and f != "certification") + ("on_site_service",)
# Identity of the outlet (and what the evaluation counts it as): changes go to staff review while the
# published version stays visible. Everything else publishes at once.
REVIEWED = (
    "name",
    "types",
    "lng",
    "lat",
    "address",
    "certification",
    "chain",
    "brand",
    "mobile",
    "on_site_service",
    "service_area",
)
