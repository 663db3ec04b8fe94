"""Fixtures for staff sessions: a copy of a session cookie, replayed from another browser, and a clock."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest


@pytest.fixture
def cookie_thief(app):
    """Copy a client's session cookie now, and replay it later: `thief = cookie_thief(client)`.

    The returned client starts with nothing but the copied cookie, as a stolen copy would.
    """

    def copy(client):
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None, "the client holds no session cookie to copy"
        thief = app.test_client()
        thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
        return thief

    return copy


@pytest.fixture
def clock(monkeypatch):
    """The clock the session checks read, moved forward with `clock.advance(seconds)`."""
    state = SimpleNamespace(now=time.time())
    fake = SimpleNamespace(time=lambda: state.now)
    monkeypatch.setattr("survey.auth.sessions.time", fake)

    def advance(seconds: float) -> None:
        state.now += seconds

    state.advance = advance
    return state
