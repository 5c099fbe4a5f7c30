"""One transaction rule (app/common/tx.py): use cases commit, nothing else does."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.common.tx import CommitOutsideUseCase, atomic, in_use_case, write_use_case

ROOT = Path(__file__).resolve().parents[2]


def _names(db) -> set[str]:
    return set(db.session.scalars(select(User.username).where(User.username.like("tx-%"))))


def test_a_commit_outside_a_use_case_is_refused(db):
    db.session.add(User(username="tx-stray", roles=["staff"]))
    with pytest.raises(CommitOutsideUseCase):
        db.session.commit()


def test_a_use_case_commits_its_writes_and_undoes_them_on_error(db, make):
    make.user("staff", username="tx-before")  # set-up rows the use case's failure must not take along

    @write_use_case
    def add(name, fail=False):
        assert in_use_case()
        db.session.add(User(username=name, roles=["staff"]))
        db.session.flush()
        if fail:
            raise ValueError("the use case fails after its write")

    add("tx-kept")
    with pytest.raises(ValueError):
        add("tx-undone", fail=True)
    assert not in_use_case()
    assert _names(db) == {"tx-before", "tx-kept"}


def test_a_failing_statement_at_the_end_undoes_only_that_use_case(db, make):
    make.user("staff", username="tx-taken")
    with pytest.raises(Exception, match="unique|duplicate"):
        with atomic():
            db.session.add(User(username="tx-taken", roles=["staff"]))  # fails at the use case's flush
    assert _names(db) == {"tx-taken"}


def test_a_nested_use_case_is_a_savepoint_of_the_outer_one(db):
    with atomic():
        db.session.add(User(username="tx-outer", roles=["staff"]))
        with pytest.raises(ValueError):
            with atomic():
                db.session.add(User(username="tx-inner", roles=["staff"]))
                db.session.flush()
                raise ValueError("inner use case fails")
        with atomic():
            db.session.add(User(username="tx-inner-ok", roles=["staff"]))
    assert _names(db) == {"tx-outer", "tx-inner-ok"}


def test_nothing_in_the_app_commits_except_the_rule():
    """The static half of the rule: `.commit(` on a session or transaction appears only in app/common/tx.py
    (savepoint handles of importers' dry runs excepted: they release a savepoint inside a use case)."""
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path == ROOT / "app" / "common" / "tx.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
                target = ast.unparse(node.func.value)
                if target != "outer":  # `outer = db.session.begin_nested()` in the importers
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {target}.commit()")
    assert offenders == []
