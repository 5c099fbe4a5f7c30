"""Composes the app from its domains: every domain's models (and retention rules), blueprints and CLI
commands, named one by one. A domain that gains a routes.py or cli.py adds it here; a missing module is an
import error at start-up, never silently "not installed"."""

from app.common import personal_data as common_personal_data


def import_models():
    """Every table's model, so relationships resolve and Alembic sees the whole schema (DOMAINS order)."""
    import app.audit.models
    import app.auth.models
    import app.circles.models
    import app.demands.models
    import app.evaluation.models
    import app.events.models
    import app.merchants.models
    import app.notifications.models
    import app.notifications.retention  # registers its rules in app.common.retention
    import app.open311.models
    import app.outlets.models
    import app.ratings.models
    import app.repair.models
    import app.surveys.models
    import app.uploads.models
    import app.uploads.retention
    import app.usage.models  # noqa: F401


def blueprints() -> list:
    from app.auth import routes as auth
    from app.circles import routes as circles
    from app.console import routes as console
    from app.demands import routes as demands
    from app.evaluation import routes as evaluation
    from app.events import routes as events
    from app.merchants import routes as merchants
    from app.notifications import routes as notifications
    from app.open311 import routes as open311
    from app.ops import routes as ops
    from app.outlets import routes as outlets
    from app.places import routes as places
    from app.privacy import routes as privacy
    from app.ratings import routes as ratings
    from app.repair import routes as repair
    from app.surveys import routes as surveys
    from app.taxonomy import routes as taxonomy
    from app.uploads import routes as uploads

    return [
        taxonomy.blp,
        circles.blp,
        *outlets.blueprints,
        *auth.blueprints,
        *uploads.blueprints,
        *merchants.blueprints,
        repair.blp,
        *demands.blueprints,
        notifications.blp,
        open311.blp,
        ratings.blp,
        places.blp,
        surveys.blp,
        events.blp,
        evaluation.blp,
        privacy.blp,
        console.blp,
        ops.blp,
    ]


def commands() -> list:
    from app.auth import cli as auth
    from app.circles import cli as circles
    from app.console import cli as console
    from app.demo import cli as demo
    from app.evaluation import cli as evaluation
    from app.notifications import cli as notifications
    from app.open311 import cli as open311
    from app.outlets import cli as outlets
    from app.privacy import cli as privacy
    from app.uploads import cli as uploads

    return [
        *circles.commands,
        *outlets.commands,
        *auth.commands,
        *uploads.commands,
        *notifications.commands,
        *open311.commands,
        *evaluation.commands,
        *demo.commands,
        *privacy.commands,
        *console.commands,
    ]


def personal_data() -> list:
    """Every domain's personal-data hooks (export, erase: app/common/personal_data.py), in the order an account
    deletion runs them: uploads last, once the other domains have said which files their remaining content
    still shows."""
    from app.auth import personal_data as auth
    from app.demands import personal_data as demands
    from app.merchants import personal_data as merchants
    from app.notifications import personal_data as notifications
    from app.ratings import personal_data as ratings
    from app.surveys import personal_data as surveys
    from app.uploads import personal_data as uploads
    from app.usage import personal_data as usage

    return [auth, merchants, demands, notifications, ratings, surveys, usage, uploads]


def wire_lower_layers():
    """What upper domains tell lower ones (README "Architecture"): whether the record showing an uploaded file is
    published (app/uploads/access.py)."""
    from app.outlets.photos import photo_holder
    from app.uploads import access

    access.register_holder("outlet_photo", photo_holder)


def register(app, api):
    import_models()
    common_personal_data.install(app, personal_data())
    wire_lower_layers()
    for blp in blueprints():
        api.register_blueprint(blp)
    for command in commands():
        app.cli.add_command(command)
