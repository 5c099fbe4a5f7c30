"""create_app refuses a production configuration that is incomplete or unsafe, naming what to fix."""

import pytest

from app import create_app
from app.config import DEV_SECRET_KEY, ConfigError

GOOD = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "JWT_SECRET_KEY": "j" * 40,
    "WECHAT_APPID": "wx0123456789abcdef",
    "WECHAT_SECRET": "0123456789abcdef0123456789abcdef",
    "WECHAT_PUSH_TOKEN": "push-token-from-the-admin-console",
    "PUBLIC_BASE_URL": "https://api.example.cn",
}


@pytest.fixture
def production(app):
    """create_app with the test servers and GOOD, changed by `changes` (None removes a key)."""

    def build(**changes):
        config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "WECHAT_API_BASE")}
        config.update(GOOD)
        config.update(changes)
        return create_app({k: v for k, v in config.items() if v is not None})

    return build


def refused(build, **changes) -> str:
    with pytest.raises(ConfigError) as error:
        build(**changes)
    return str(error.value)


def test_a_complete_production_config_starts(production):
    app = production()
    assert app.config["PRODUCTION"] is True
    assert app.config["JWT_SECRET_KEY"] == "j" * 40 and app.config["SECRET_KEY"] == "s" * 40


def test_jwt_secret_is_required_on_its_own(production):
    message = refused(production, JWT_SECRET_KEY=None)
    assert "JWT_SECRET is required in production" in message
    assert "JWT_SECRET must differ from SECRET_KEY" in refused(production, JWT_SECRET_KEY="s" * 40)


@pytest.mark.parametrize("key,var", [("SECRET_KEY", "SECRET_KEY"), ("JWT_SECRET_KEY", "JWT_SECRET")])
def test_short_secrets_are_refused(production, key, var):
    assert f"{var} must be at least 32 bytes" in refused(production, **{key: "x" * 31})
    production(**{key: "界" * 11})  # 33 bytes in UTF-8: the rule counts bytes, not characters


@pytest.mark.parametrize(
    "key,value,var",
    [
        ("SECRET_KEY", DEV_SECRET_KEY, "SECRET_KEY"),
        ("JWT_SECRET_KEY", DEV_SECRET_KEY, "JWT_SECRET"),
        ("WECHAT_SECRET", "wx-dev-secret", "WECHAT_SECRET"),
        ("WECHAT_PUSH_TOKEN", "stub-push-token", "WECHAT_PUSH_TOKEN"),
    ],
)
def test_development_defaults_are_refused(production, key, value, var):
    assert f"{var} is a development default" in refused(production, **{key: value})


def test_the_placeholder_appid_is_refused(production):
    assert "WECHAT_APPID is the development placeholder" in refused(production, WECHAT_APPID="wx-dev-appid")


def test_public_base_url_is_required_and_https(production):
    assert "PUBLIC_BASE_URL is required in production" in refused(production, PUBLIC_BASE_URL=None)
    assert "PUBLIC_BASE_URL must be an https:// address" in refused(production, PUBLIC_BASE_URL="http://x.cn")


def test_every_problem_is_named_at_once(production):
    message = refused(production, SECRET_KEY=None, JWT_SECRET_KEY=None, PUBLIC_BASE_URL=None)
    for var in ("SECRET_KEY", "JWT_SECRET", "PUBLIC_BASE_URL"):
        assert f"{var} is required" in message


@pytest.mark.parametrize("spelling", ["PRODUCTION", "Production", " production "])
def test_app_env_is_compared_case_insensitively(production, spelling):
    assert "JWT_SECRET is required" in refused(production, APP_ENV=spelling, JWT_SECRET_KEY=None)


def test_flask_env_cannot_turn_the_checks_off(production):
    assert "JWT_SECRET is required" in refused(production, FLASK_ENV="development", JWT_SECRET_KEY=None)
    # …but FLASK_ENV=production alone is production.
    assert "JWT_SECRET is required" in refused(
        production, APP_ENV="development", FLASK_ENV="production", JWT_SECRET_KEY=None
    )


def test_an_unknown_app_env_is_refused(production):
    """`APP_ENV=prod` must not silently mean development."""
    assert "APP_ENV='prod' is unknown" in refused(production, APP_ENV="prod")


def test_development_falls_back_to_fixed_keys(production):
    app = production(APP_ENV="development", SECRET_KEY=None, JWT_SECRET_KEY=None, PUBLIC_BASE_URL=None)
    assert app.config["PRODUCTION"] is False
    assert app.config["SECRET_KEY"] == app.config["JWT_SECRET_KEY"] == DEV_SECRET_KEY


@pytest.mark.parametrize("hops", [-1, 6, "1"])
def test_proxy_hops_must_be_a_small_whole_number(production, hops):
    assert "PROXY_HOPS must be a whole number 0-5" in refused(production, PROXY_HOPS=hops)
