"""The needs board as an Excel workbook (需求清单), with the same filters as the board."""

from app.common.workbook import add_sheet, new_workbook, to_bytes
from app.demands.models import DEMAND_KINDS, DEMAND_STATUSES, PRIORITIES
from app.demands.present import type_name

HEADERS = ["编号", "提交时间", "类型", "业态", "内容", "地址", "状态", "轻重缓急", "支持数", "公开答复", "关联项目"]


def demands_workbook(demands) -> bytes:
    rows = [
        [
            d.id,
            d.created_at,
            DEMAND_KINDS[d.kind],
            type_name(d.business_type) or "",
            d.text,
            d.address,
            DEMAND_STATUSES[d.status],
            PRIORITIES[d.priority],
            d.support_count,
            d.public_reply or "",
            d.project_id or "",
        ]
        for d in demands
    ]
    book = new_workbook()
    add_sheet(
        book, "需求清单", f"需求清单（{len(rows)} 条）", HEADERS, rows, [8, 18, 12, 14, 50, 30, 10, 10, 8, 40, 10]
    )
    return to_bytes(book)
