"""Repair rows (WGS-84) → the contract's items in the requested coordinate system."""

from app.outlets import present as outlet_present
from app.outlets.present import slot_out
from app.repair import service


def items(rows: list[dict], coord: str) -> list[dict]:
    ids = [row["id"] for row in rows]
    prices = service.price_lists_for(ids)
    schedules = service.schedules_for([row["id"] for row in rows if row["mobile"]])
    result, pace = [], outlet_present.walking()
    for row in rows:
        schedule = schedules.get(row["id"], [])
        item = outlet_present.item(row, coord, schedule, pace)
        item.update(
            services=prices[row["id"]],
            mobile=row["mobile"],
            present_now=row["present_now"],
            on_site=row["on_site"],
            schedule=[slot_out(s, coord) for s in schedule],
        )
        if row["on_site"]:
            item["walk_minutes"] = 0  # the repairer comes to the door
        result.append(item)
    return result
