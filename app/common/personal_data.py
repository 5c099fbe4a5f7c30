"""What each domain holds about one person: its part of the data export and of the account deletion (注销).

A domain with personal data has a module `app/<domain>/personal_data.py` with

- `export(user) -> dict`: its records about the user, as the user may download them (JSON-ready);
- `erase(erasure: Erasure) -> None`: erase or anonymise them inside the current transaction, add counts
  to `erasure.counts`, and name in `erasure.keep_uploads` the files still shown with content that stays public.

`app.privacy.service` calls every domain's hooks in the order app/registry.py names them (uploads last, because
only then is it known which files are still in use), then empties the account itself. A new table holding
personal data adds its rows here (and a new module to the registry); the README's "Personal data" section lists
what happens to each.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

DELETED_NAME = "已注销用户"


@dataclass
class Erasure:
    user: object
    remove_content: bool  # the resident asked that their public needs and ratings go too
    at: datetime
    counts: dict = field(default_factory=dict)
    keep_uploads: set = field(default_factory=set)
    files: list = field(default_factory=list)  # storage keys to delete once the transaction committed

    def count(self, name: str, n: int) -> None:
        if n:
            self.counts[name] = self.counts.get(name, 0) + n


def records(owner_column, user, fields, order_by=None) -> list[dict]:
    """The rows of owner_column's table that belong to the user, as dicts of `fields` for the export.

    A field is an attribute name, or (name, function of the row) for a computed value.
    """
    from sqlalchemy import select

    from app.common.extensions import db

    model = owner_column.class_
    query = select(model).where(owner_column == user.id).order_by(order_by if order_by is not None else model.id)
    out = []
    for row in db.session.scalars(query):
        item = {}
        for f in fields:
            name, value = (f[0], f[1](row)) if isinstance(f, tuple) else (f, getattr(row, f))
            item[name] = list(value) if isinstance(value, list | tuple) else value
        out.append(item)
    return out


def install(app, modules: list) -> None:
    """The app's personal_data modules, in the order deletion runs them (app/registry.py composes them)."""
    app.extensions["personal_data"] = list(modules)


def hooks() -> list:
    """The domains' personal_data modules, in the order deletion runs them."""
    return current_app.extensions["personal_data"]


def domain_of(module) -> str:
    return module.__name__.split(".")[1]
