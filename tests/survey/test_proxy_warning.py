"""In production (SURVEY_HTTPS=1), requests forwarded by a proxy the app was not told about
raise one clear warning: behind it, every client shares the proxy's address."""

from __future__ import annotations

import logging

import pytest

from survey import create_app
from survey.security import UNTRUSTED_PROXY_WARNING
from tests.conftest import _test_config

FORWARDED = {"X-Forwarded-For": "203.0.113.7"}
WARNING_START = UNTRUSTED_PROXY_WARNING.split("%s")[0]


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
            and r.getMessage().startswith(WARNING_START)]


def _app(database_url: str, **config):
    return create_app({**_test_config(database_url), "SESSION_COOKIE_SECURE": True, **config})


def test_forwarded_requests_without_proxy_count_warn_once(database_url, caplog):
    client = _app(database_url, PROXY_COUNT=0).test_client()
    with caplog.at_level(logging.WARNING):
        client.get("/auth/login", base_url="https://localhost")
        assert _warnings(caplog) == []  # a direct request is no sign of a proxy
        for _ in range(3):
            client.get("/auth/login", headers=FORWARDED, base_url="https://localhost")
    (message,) = _warnings(caplog)
    assert "SURVEY_PROXY_COUNT" in message and "127.0.0.1" in message


@pytest.mark.parametrize("config", [{"PROXY_COUNT": 1}, {"SESSION_COOKIE_SECURE": False}],
                         ids=["proxy-count-set", "not-production"])
def test_no_warning_when_the_proxy_is_declared_or_outside_production(database_url, caplog, config):
    client = _app(database_url, **config).test_client()
    with caplog.at_level(logging.WARNING):
        client.get("/auth/login", headers=FORWARDED, base_url="https://localhost")
    assert _warnings(caplog) == []
