"""A citizen walking the questionnaire through the test client, page by page."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field

import pytest
import redis

from survey.questionnaire import Item, QuestionnaireDefinition, load_questionnaire
from tests.factories import SIPAS_FILE, make_centre, make_field, make_wave

REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STATE = re.compile(r'name="state" type="hidden" value="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]*)"')
QUESTIONNAIRE = load_questionnaire(SIPAS_FILE)


def checked(html: str, name: str, value: str) -> bool:
    """Whether the radio `name` has `value` checked in the page."""
    return re.search(rf'<input checked [^>]*name="{name}" [^>]*value="{value}"', html) is not None


def default_answer(item: Item) -> str | list[str]:
    """A plausible answer: 'Hài lòng' on scales, the first choice elsewhere."""
    if item.type == "likert":
        return "4"
    if item.type == "select_one":
        return "co" if item.code == "feedback_made" else item.choices.choices[0].value
    if item.type == "select_many":
        return [item.choices.choices[0].value]
    if item.type == "integer":
        return str(item.minimum or 1)
    return "Cán bộ nhiệt tình."


@dataclass
class Citizen:
    """Drives the form like a browser would: posts each page's fields with its hidden state."""

    client: object
    html: str = ""
    status: int = 0
    location: str | None = None
    headers: object = None
    answers: dict = field(default_factory=dict)
    questionnaire: QuestionnaireDefinition = QUESTIONNAIRE
    """The questionnaire the pages come from (SIPAS unless a test walks another survey)."""

    def open(self, path: str) -> Citizen:
        response = self.client.get(path)
        self.status, self.html, self.location = response.status_code, response.get_data(as_text=True), None
        return self

    @property
    def state(self) -> str:
        return STATE.search(self.html).group(1)

    @property
    def csrf(self) -> str:
        found = CSRF.search(self.html)
        return found.group(1) if found else ""

    def visible_codes(self) -> list[str]:
        codes = re.findall(r'id="q-([a-z0-9_]+)"', self.html)
        return [c for c in codes if c in self.questionnaire.items_by_code]

    def post(self, action: str = "next", overrides: dict | None = None, state: str | None = None,
             csrf: str | None = None, js: bool = False) -> Citizen:
        """Post the page as a browser would; `js=True` as one running the page's script."""
        response = self.client.post("/s", data=self.form_data(action, overrides, state, csrf, js))
        self.status, self.location = response.status_code, response.headers.get("Location")
        self.headers = response.headers
        self.html = response.get_data(as_text=True)
        return self

    def form_data(self, action: str = "next", overrides: dict | None = None, state: str | None = None,
                  csrf: str | None = None, js: bool = False) -> dict:
        """The fields a browser would post from the current page."""
        data: dict = {"state": state or self.state, "csrf_token": self.csrf if csrf is None else csrf,
                      "action": action, "js": "1" if js else "0"}
        for code in self.visible_codes():
            item = self.questionnaire.items_by_code[code]
            preset = re.search(rf'<input checked [^>]*name="{code}" [^>]*value="([^"]*)"', self.html)
            fallback = preset.group(1) if preset else default_answer(item)
            value = (overrides or {}).get(code, self.answers.get(code, fallback))
            if value is not None:
                data[code] = value
                self.answers[code] = value
        return data

    def to_last_page(self, limit: int = 20) -> Citizen:
        """Answer every mandatory page up to the one that submits."""
        for _ in range(limit):
            if 'value="submit"' in self.html:
                return self
            self.post("next")
        raise AssertionError("no page offers to submit")

    def finish(self, overrides: dict | None = None, limit: int = 20) -> Citizen:
        """Answer every mandatory page and submit."""
        for _ in range(limit):
            action = "submit" if 'value="submit"' in self.html else "next"
            self.post(action, overrides)
            if self.status != 200 or 'name="state"' not in self.html:
                return self
        raise AssertionError("the questionnaire did not end")


@pytest.fixture
def desk(db_session):
    """An open SIPAS wave and one centre with a service field, committed."""
    wave = make_wave(db_session)
    centre = make_centre(db_session)
    field = make_field(db_session)
    db_session.commit()
    return wave, centre, field


@pytest.fixture
def citizen(client):
    return Citizen(client)


@pytest.fixture
def worker(database_url, app):
    """Build another app on the test database, as a second gunicorn worker would be: `worker(**config)`."""
    from survey import create_app
    from survey.extensions import db, limiter
    from tests.conftest import _test_config

    built = []

    def build(**config):
        # Flask-Limiter keeps the first RATELIMIT_KEY_PREFIX it was given (`self._key_prefix or
        # config…`): each worker built here takes its own from its config, as a new process would.
        limiter._key_prefix = ""
        built.append(create_app({**_test_config(database_url), **config}))
        # Every app in this test process shares the module-level limiter (each gunicorn worker
        # has its own). Flask-Limiter sets "storage dead" only in its constructor, so a test that
        # made it fall back to memory would leave the next app's Redis store unused.
        limiter._storage_dead = False
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.engine.dispose()  # close its pooled connections before the test database is reset


@pytest.fixture
def shared_counters():
    """The Redis that several workers' rate limits share, and a key prefix of this test's own:
    `(url, prefix, store)`; the test's counters are deleted afterwards. Unreachable Redis fails
    the test under CI=true (.ci/run starts it) and skips it elsewhere, where the memory:// store
    is tested."""
    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        store.ping()
    except redis.exceptions.ConnectionError as exc:
        store.close()
        message = f"Redis at {REDIS_URL} is unreachable ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: required under CI=true (.ci/run starts it)")
        pytest.skip(f"{message}; the memory:// store is tested above")
    prefix = f"survey-test-{uuid.uuid4().hex}"
    try:
        yield REDIS_URL, prefix, store
    finally:
        leftover = store.keys(f"*{prefix}*")
        if leftover:
            store.delete(*leftover)
        store.close()
