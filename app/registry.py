"""Imports every domain's models (and retention rules) and registers its blueprints and CLI commands."""

from importlib import import_module, util


def _exists(module: str) -> bool:
    try:
        return util.find_spec(module) is not None
    except ModuleNotFoundError:  # the domain package itself is absent
        return False


def import_models():
    from app import DOMAINS

    for name in DOMAINS:
        if _exists(f"app.{name}.models"):
            import_module(f"app.{name}.models")
        if _exists(f"app.{name}.retention"):  # registers its rules in app.common.retention
            import_module(f"app.{name}.retention")


def register(app, api):
    from app import DOMAINS

    import_models()
    for name in DOMAINS:
        if _exists(f"app.{name}.routes"):
            module = import_module(f"app.{name}.routes")
            for blp in getattr(module, "blueprints", [module.blp]):
                api.register_blueprint(blp)
        if _exists(f"app.{name}.cli"):
            for command in import_module(f"app.{name}.cli").commands:
                app.cli.add_command(command)
