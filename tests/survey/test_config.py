"""Configuration from the environment and the instance folder."""

import pytest

from survey.config import ConfigError, engine_options, instance_secret_key, load_config, normalise_database_url


def test_default_database_is_sqlite_in_instance(tmp_path):
    config = load_config(str(tmp_path), {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/survey.db"
    assert engine_options(config["SQLALCHEMY_DATABASE_URI"])["connect_args"]["timeout"] > 0


def test_postgres_url_is_routed_through_psycopg():
    url = normalise_database_url("postgresql://u:p@db:5432/survey")
    assert url == "postgresql+psycopg://u:p@db:5432/survey"
    assert engine_options(url) == {"pool_pre_ping": True}


@pytest.mark.parametrize("bad", ["not a url", "mysql://root@localhost/x", "://"])
def test_bad_database_url_names_the_setting(bad):
    with pytest.raises(ConfigError, match="SURVEY_DATABASE_URL"):
        normalise_database_url(bad)


def test_secret_key_is_generated_once_and_reused(tmp_path):
    first = instance_secret_key(str(tmp_path))
    second = instance_secret_key(str(tmp_path))
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_secret_key_wins(tmp_path):
    config = load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "from-env"})
    assert config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_bad_number_setting_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="SURVEY_SESSION_IDLE_MINUTES must be a whole number"):
        load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "k", "SURVEY_SESSION_IDLE_MINUTES": "half"})
    with pytest.raises(ConfigError, match="SURVEY_PROXY_COUNT must be at least 0"):
        load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "k", "SURVEY_PROXY_COUNT": "-1"})


def test_proxy_count_trusts_forwarded_client_address(database_url):
    from survey import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "STARTUP_CHECK": False,
         "PROXY_COUNT": 1}
    )

    @app.get("/_remote")
    def remote():
        from flask import request

        return request.remote_addr or ""

    response = app.test_client().get("/_remote", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "203.0.113.9"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SURVEY_RATELIMIT_STORAGE": "mongodb://db"}, "SURVEY_RATELIMIT_STORAGE must be memory:// or redis://"),
        ({"SURVEY_RATE_LIMIT_DEVICE": "lots"}, "SURVEY_RATE_LIMIT_DEVICE must be a rate such as '120 per hour'"),
        ({"SURVEY_RATE_LIMIT_CENTRE": "3 per fortnight"}, "SURVEY_RATE_LIMIT_CENTRE must be a rate"),
    ],
)
def test_bad_rate_limit_settings_name_the_variable(tmp_path, environ, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "k", **environ})


def test_redis_rate_limit_storage_is_accepted(tmp_path):
    config = load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "k", "SURVEY_RATELIMIT_STORAGE": "redis://cache:6379/0"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
