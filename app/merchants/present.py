"""Applications, owned outlets and audit entries as the API shows them (points in the requested system)."""

from collections import defaultdict

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from app.auth.models import mask_phone
from app.common.extensions import db
from app.common.geo import point_out
from app.merchants.coords import payload_out
from app.merchants.duplicates import possible_duplicates
from app.merchants.editing import open_change
from app.merchants.models import OPEN_CLAIM_STATUSES, Claim
from app.merchants.publish import service_area
from app.outlets.present import slot_out
from app.outlets.service import outlet_lnglat
from app.repair import service as repair
from app.uploads.service import Upload, public_url, thumb_url


def _point(element, coord):
    if element is None:
        return None
    point = to_shape(element)
    return point_out(point.x, point.y, coord)


def application_out(application, coord: str) -> dict:
    return {
        **{c.key: getattr(application, c.key) for c in application.__table__.columns if c.key != "location"},
        "location": _point(application.location, coord),
        "payload": payload_out(application.payload or {}, coord),
    }


def _links(ids) -> list[dict]:
    uploads = {u.id: u for u in db.session.scalars(select(Upload).where(Upload.id.in_(list(ids))))}
    return [{"id": i, "url": public_url(uploads[i]), "thumb_url": thumb_url(uploads[i])} for i in ids if i in uploads]


def application_detail(application, coord: str, with_duplicates: bool) -> dict:
    payload = application.payload or {}
    licence_id = (payload.get("certification") or {}).get("licence_upload_id")
    licence = _links([licence_id]) if licence_id is not None else []
    duplicates = possible_duplicates(application) if with_duplicates else []
    return {
        **application_out(application, coord),
        "photo_urls": _links(payload.get("photo_ids") or []),
        "licence_url": licence[0]["url"] if licence else None,
        "possible_duplicates": [
            {**d, "location": point_out(d["lng"], d["lat"], coord), "distance_m": int(round(d["distance_m"]))}
            for d in duplicates
        ],
    }


def owned_outlet(outlet, coord: str) -> dict:
    change = open_change(outlet.id)
    return {
        **{c.key: getattr(outlet, c.key) for c in outlet.__table__.columns if c.key != "location"},
        "location": point_out(*outlet_lnglat(outlet), coord),
        "service_area": service_area(outlet),
        "price_list": repair.price_list_for(outlet.id),
        "schedule": [slot_out(s, coord) for s in repair.schedule_for(outlet.id)],
        "pending_change": change and application_out(change, coord),
    }


CLAIM_FIELDS = (
    "id",
    "outlet_id",
    "status",
    "dispute",
    "reason",
    "licence_no",
    "contact_name",
    "created_at",
    "decided_at",
)


def claim_out(claim: Claim) -> dict:
    """The claimant's view: their phone masked."""
    return {
        **{key: getattr(claim, key) for key in CLAIM_FIELDS},
        "outlet_name": claim.outlet.name,
        "phone": mask_phone(claim.phone),
    }


def _digits(phone: str | None) -> str:
    return "".join(c for c in phone or "" if c.isdigit())[-11:]


def claims_staff(claims: list[Claim]) -> list[dict]:
    """The reviewing staff's view of a page of claims: the evidence (licence, verified phone against the
    listing) and, per claim, the other open claims on its outlet (one query for the page)."""
    open_claims = defaultdict(list)
    rows = db.session.execute(
        select(Claim.outlet_id, Claim.id)
        .where(Claim.outlet_id.in_({c.outlet_id for c in claims}), Claim.status.in_(OPEN_CLAIM_STATUSES))
        .order_by(Claim.id)
    )
    for outlet_id, claim_id in rows:
        open_claims[outlet_id].append(claim_id)
    return [
        {
            **claim_out(claim),
            "claimant_user_id": claim.claimant_user_id,
            "phone": claim.phone,
            "phone_matches_listing": bool(claim.phone) and _digits(claim.phone) == _digits(claim.outlet.phone),
            "licence_url": claim.licence and public_url(claim.licence, signed=True),
            "outlet": claim.outlet,
            "other_open_claims": [i for i in open_claims[claim.outlet_id] if i != claim.id],
            "reviewer_user_id": claim.reviewer_user_id,
        }
        for claim in claims
    ]


def claim_staff(claim: Claim) -> dict:
    return claims_staff([claim])[0]
