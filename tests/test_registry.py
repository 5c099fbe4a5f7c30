"""The app is composed from an explicit list of modules (app/registry.py): a domain that gains a models,
retention, routes, cli or personal_data module must be named there, or its tables, rules, routes, commands or
personal data are missing."""

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
COMPOSED = ("models", "retention", "routes", "cli", "personal_data")


def test_every_domain_module_is_registered(app):
    from app import DOMAINS

    found = sorted(
        f"app.{path.parent.name}.{path.stem}"
        for path in APP.glob("*/*.py")
        if path.stem in COMPOSED and path.parent.name in DOMAINS
    )
    assert found, "no domain modules found"
    missing = [name for name in found if name not in sys.modules]
    assert missing == [], f"name these in app/registry.py: {missing}"
