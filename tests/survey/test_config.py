"""Configuration from the environment and the instance folder."""

import subprocess
import sys

import pytest

import survey.config
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
        ({"SURVEY_RATE_LIMIT_QUESTIONNAIRE": "lots"},
         "SURVEY_RATE_LIMIT_QUESTIONNAIRE must be a rate such as '120 per hour'"),
        ({"SURVEY_ALERT_CENTRE_RESPONSES": "3 per fortnight"}, "SURVEY_ALERT_CENTRE_RESPONSES must be a rate"),
        ({"SURVEY_RATE_LIMIT_CENTRE": "3000 per hour"}, "SURVEY_RATE_LIMIT_CENTRE no longer exists"),
        ({"SURVEY_RATE_LIMIT_DEVICE": "300 per hour"}, "SURVEY_RATE_LIMIT_DEVICE no longer exists"),
    ],
)
def test_bad_rate_limit_settings_name_the_variable(tmp_path, environ, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "k", **environ})


def test_redis_rate_limit_storage_is_accepted(tmp_path):
    config = load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "k", "SURVEY_RATELIMIT_STORAGE": "redis://cache:6379/0"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True


def test_workers_starting_together_share_one_secret_key(tmp_path):
    """gunicorn -w N on a first start: every worker must read the same, complete key."""
    # Each worker loads survey/config.py on its own, not through the `survey` package, whose
    # import (the whole app, pandas, SciPy) costs seconds per process and races nothing.
    code = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('config', sys.argv[2]); "
            "config = importlib.util.module_from_spec(spec); spec.loader.exec_module(config); "
            "print(config.instance_secret_key(sys.argv[1]))")
    for attempt in range(2):
        folder = tmp_path / f"instance-{attempt}"
        workers = [subprocess.Popen([sys.executable, "-c", code, str(folder), survey.config.__file__],
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(4)]
        keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
        assert all(worker.returncode == 0 for worker in workers)
        assert len(keys) == 1 and len(keys.pop()) == 64
        assert [p.name for p in folder.iterdir()] == ["secret_key"]  # no temporary file left


def test_an_empty_key_file_is_named(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="secret_key is empty"):
        instance_secret_key(str(tmp_path))


def test_a_non_numeric_port_is_a_config_error_without_the_password():
    with pytest.raises(ConfigError, match="không phải địa chỉ cơ sở dữ liệu hợp lệ") as error:
        normalise_database_url("postgresql://survey:s3cret@127.0.0.1:notaport/x")
    assert "s3cret" not in str(error.value)


def test_heroku_style_postgres_scheme_is_accepted():
    assert normalise_database_url("postgres://u@db/survey") == "postgresql+psycopg://u@db/survey"
