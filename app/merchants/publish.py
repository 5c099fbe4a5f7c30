"""Writing an approved payload onto an outlet, and the snapshots the audit trail keeps."""

from decimal import Decimal

from sqlalchemy import select

from app.common.extensions import db
from app.merchants import fields
from app.outlets.models import Outlet
from app.outlets.service import apply_fields, outlet_lnglat
from app.repair import service as repair
from app.uploads.service import Upload, public_url, thumb_url


def attach_uploads(ids, *, outlet_id=None, circle_id=None) -> list[Upload]:
    uploads = {u.id: u for u in db.session.scalars(select(Upload).where(Upload.id.in_(list(ids))))}
    for upload in uploads.values():
        if outlet_id is not None:
            upload.outlet_id = outlet_id
        if circle_id is not None:
            upload.circle_id = circle_id
    return [uploads[i] for i in ids if i in uploads]


def photo_entries(photo_ids, outlet_id) -> list[dict]:
    return [
        {"upload_id": u.id, "url": public_url(u), "thumb_url": thumb_url(u)}
        for u in attach_uploads(photo_ids, outlet_id=outlet_id)
    ]


def apply_payload(outlet: Outlet, payload: dict) -> Outlet:
    """Sets the payload's fields on the outlet (adding it to the session when new); no commit."""
    given = {key: payload[key] for key in fields.COLUMNS if key in payload}
    if "lng" in payload:
        given.update(lng=payload["lng"], lat=payload["lat"])
    apply_fields(outlet, given)
    if outlet.id is None:
        db.session.add(outlet)
        db.session.flush()
    if "photo_ids" in payload:
        outlet.photos = photo_entries(payload["photo_ids"], outlet.id)
    licence_id = (payload.get("certification") or {}).get("licence_upload_id")
    if licence_id is not None:
        attach_uploads([licence_id], outlet_id=outlet.id)
    if "repair_services" in payload:
        repair.set_offers(outlet, payload["repair_services"])
    if "schedule" in payload:
        repair.set_schedule(outlet, payload["schedule"])
    elif payload.get("mobile") is False:
        repair.set_schedule(outlet, [])
    if "on_site_service" in payload or "service_area" in payload:
        on_site = payload.get("on_site_service", outlet.on_site_service)
        repair.set_service_area(outlet, on_site, payload.get("service_area") or service_area(outlet))
    db.session.flush()
    return outlet


def service_area(outlet: Outlet) -> dict | None:
    if not outlet.on_site_service:
        return None
    return {"circle_ids": list(outlet.service_circle_ids or []), "radius_m": outlet.service_radius_m}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def snapshot(outlet: Outlet) -> dict:
    """The outlet as residents and staff see it, JSON-ready (WGS-84), for audit before/after."""
    lng, lat = outlet_lnglat(outlet)
    data = {key: _plain(getattr(outlet, key)) for key in fields.COLUMNS}
    data.update(
        lng=round(lng, 7),
        lat=round(lat, 7),
        status=outlet.status,
        on_site_service=outlet.on_site_service,
        service_area=service_area(outlet),
        photo_ids=[p.get("upload_id") for p in outlet.photos or [] if isinstance(p, dict)],
    )
    if outlet.id is not None:
        data["repair_services"] = [
            {k: p[k] for k in ("code", "price_min", "price_max", "unit", "note")}
            for p in repair.price_list_for(outlet.id)
        ]
        data["schedule"] = [
            {k: s[k] for k in ("lng", "lat", "address", "hours")} for s in repair.schedule_for(outlet.id)
        ]
    return data


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
