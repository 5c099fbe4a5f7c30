"""One page of a list, in the contract's shape `{items, page, page_size, has_more, total?}`.

A list use case returns `paginate(query, page, page_size)` (or `Page.of(rows, …)` for rows it fetched itself
with `window()`); its route returns the page, its items presented with `page.map(present)`, and adds any
list-level fields with `page.envelope(radius_m=…)`. `has_more` costs no count: one row more than the page is
fetched. `total` is given only where counting is cheap (the schema leaves a `None` total out).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, func, select

from app.common.extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    page_size: int
    has_more: bool
    total: int | None = None

    @classmethod
    def of(cls, fetched: Iterable, page: int, page_size: int, total: int | None = None) -> "Page":
        """The page from rows fetched with `window(page, page_size)`: the one extra row means there is more."""
        rows = list(fetched)
        return cls(rows[:page_size], page, page_size, len(rows) > page_size, total)

    @classmethod
    def within(cls, everything: list, page: int, page_size: int) -> "Page":
        """The page of a list computed in full (each item depends on the one before); total is its length."""
        offset, _ = window(page, page_size)
        return cls.of(everything[offset : offset + page_size + 1], page, page_size, len(everything))

    def map(self, present: Callable[[Any], Any]) -> "Page":
        """The same page with each item presented."""
        return replace(self, items=[present(item) for item in self.items])

    def with_items(self, items: list) -> "Page":
        """The same page with items presented all at once (presenters that batch their look-ups)."""
        return replace(self, items=list(items))

    def envelope(self, **extra) -> dict:
        """The page as the contract's dict, with list-level fields of the operation (radius, coord …)."""
        body = {"items": self.items, "page": self.page, "page_size": self.page_size, "has_more": self.has_more}
        if self.total is not None:
            body["total"] = self.total
        return {**body, **extra}


def window(page: int, page_size: int) -> tuple[int, int]:
    """(offset, limit) of a page: one row more than the page, so that `has_more` needs no count."""
    return (page - 1) * page_size, page_size + 1


def paginate(
    query: Select, page: int, page_size: int, *, count: Select | bool | int = False, rows: bool = False
) -> Page:
    """Runs an ordered query for one page. Items are the first thing each row selects (`select(Demand)` → needs),
    or with `rows=True` the whole rows (`select(Event, lng, lat)`). `count=True` counts the query's rows; a
    statement counts as given (a cheaper count of the same rows); a number is the total already known (a kept
    counter)."""
    offset, limit = window(page, page_size)
    result = db.session.execute(query.offset(offset).limit(limit))
    fetched = result.all() if rows else result.scalars().all()
    if count is True:
        count = select(func.count()).select_from(query.order_by(None).subquery())
    if count is False or count is None:
        total = None
    else:
        total = count if isinstance(count, int) else db.session.scalar(count)
    return Page.of(fetched, page, page_size, total)
