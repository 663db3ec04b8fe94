"""The desk kiosk in headless Chromium: offline mid-questionnaire, a queue, a restart, nothing lost or doubled.

A paired tablet answers one questionnaire online, loses its connection in the middle of the
second, completes three in all offline, is closed and started again (the same browser profile,
so IndexedDB and the service worker's cache survive), still offline, and then gets its
connection back: every questionnaire the tablet acknowledged is stored exactly once. On the
way, the attacker is whoever holds the tablet's browser storage: the queued questionnaires
are ciphertext there, and the key cannot be exported.

"Offline" is both Playwright's `set_offline` and the server stopped: Chromium does not always
apply `set_offline` to a service worker's own requests (microsoft/playwright#2311), and a
stopped server is what a tablet whose connection dropped sees anyway.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from survey.kiosk.pairing import issue_code
from survey.models import Answer, Response
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import free_port

pytestmark = pytest.mark.browser

TABLET = {"width": 800, "height": 1280}
COMMENT = "Thủ tục nhanh, cán bộ nhiệt tình."
SYNC_TIMEOUT_MS = 60_000  # the queue is sent on the browser's "online" event; the 30 s retry is the fallback


class Server:
    """The test app on one fixed port (the tablet's origin must not change), stopped and started at will."""

    def __init__(self, app) -> None:
        self.app, self.port = app, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None

    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def server(app):
    running = Server(app)
    running.start()
    yield running
    running.stop()


def _tablet(browser, profile):
    return browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, viewport=TABLET)


def _paired(browser, server_url: str, centre, db_session, clock: bool = False):
    """A new tablet context paired with ``centre`` by an admin's code, on the start screen: (context, page).
    With ``clock``, the page's timers are Playwright's, to be fast-forwarded."""
    code = issue_code(db_session, centre, "admin")
    db_session.commit()
    tablet = browser.new_context(viewport=TABLET)
    page = tablet.new_page()
    if clock:
        page.clock.install()
    page.goto(f"{server_url}/k/{centre.code}")
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Ghép nối máy này").click()
    return tablet, page


def _answer_page(page) -> None:
    """Answer every question shown on the page, those an answer reveals too: 'Hài lòng' or 'Có'
    where offered, else the first option."""
    answered: set[str] = set()
    while True:
        fresh = [box for box in page.locator("#kiosk-screen .q:visible").all()
                 if box.get_attribute("id") not in answered]
        if not fresh:
            return
        for box in fresh:
            answered.add(box.get_attribute("id"))
            options = box.locator("input[type=radio], input[type=checkbox]")
            if options.count():
                preferred = box.locator("input[value='4'], input[value='co']")
                target = preferred.first if preferred.count() else options.first
                box.locator(f"label[for='{target.get_attribute('id')}']").click()
            elif box.locator("textarea").count():
                box.locator("textarea").fill(COMMENT)
            else:
                box.locator("input").fill("1")


def _expect_waiting(page, count: int, timeout: float = 10_000) -> None:
    page.wait_for_function("(n) => document.getElementById('kiosk-waiting').textContent === n",
                           arg=str(count), timeout=timeout)


def _complete(page, offline_after_first_page=None) -> None:
    """One respondent from the start screen to the thank-you screen."""
    page.locator("#kiosk-begin").click()
    assert page.locator("#kiosk-screen input:checked").count() == 0  # a blank questionnaire
    _complete_started(page, offline_after_first_page)


def _complete_started(page, offline_after_first_page=None) -> None:
    """The rest of a questionnaire already begun, to the thank-you screen."""
    for turn in range(30):
        _answer_page(page)
        if turn == 0 and offline_after_first_page is not None:
            offline_after_first_page()
        submit = page.locator("#kiosk-screen .nav [data-action=submit]")
        if submit.count():
            submit.first.click()
            page.locator("#kiosk-thanks").wait_for()
            return
        page.locator("#kiosk-screen .nav [data-action=next]").click()
        refused = [box.get_attribute("id") for box in page.locator("#kiosk-screen .has-error").all()]
        assert not refused, f"answered but refused: {refused}"
    raise AssertionError("never reached the submit button")


def _queued_ids(page) -> list[str]:
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("kiosk");
        open.onsuccess = () => {
            const request = open.result.transaction("queue").objectStore("queue").getAllKeys();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        };
    })""")


def _storage_as_an_attacker_reads_it(page) -> dict:
    """The queue's bytes decoded as text, and whether the device key can be exported."""
    return page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open("kiosk");
        open.onsuccess = () => {
            const db = open.result;
            const records = db.transaction("queue").objectStore("queue").getAll();
            records.onsuccess = () => {
                const texts = records.result.map((r) => new TextDecoder("utf-8", {fatal: false}).decode(r.data));
                const key = db.transaction("keys").objectStore("keys").get("device");
                key.onsuccess = () => crypto.subtle.exportKey("raw", key.result)
                    .then(() => resolve({texts, exportable: true}), () => resolve({texts, exportable: false}));
            };
        };
    })""")


def _shell_cached(page) -> None:
    page.wait_for_function("""() => caches.open("kiosk-v1").then((cache) => cache.match(location.pathname))
        .then((hit) => Boolean(hit))""", polling=200, timeout=10_000)


@pytest.mark.commits
def test_questionnaires_completed_offline_survive_a_restart_and_are_stored_once(
        browser, server, centre, db_session, tmp_path):
    code = issue_code(db_session, centre, "admin")
    db_session.commit()
    profile = tmp_path / "tablet-profile"

    tablet = _tablet(browser, profile)
    page = tablet.pages[0] if tablet.pages else tablet.new_page()
    page.goto(f"{server.url}/k/{centre.code}")
    assert "chưa được ghép nối" in page.locator("h1").inner_text()
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Ghép nối máy này").click()
    page.locator("#kiosk-begin").wait_for()
    _shell_cached(page)

    _complete(page)  # online: sent at once
    _expect_waiting(page, 0)
    db_session.expire_all()
    sent_online = db_session.scalars(select(Response.id)).all()
    assert len(sent_online) == 1

    def connection_drops() -> None:
        tablet.set_offline(True)
        server.stop()

    _complete(page, offline_after_first_page=connection_drops)
    assert "Mất mạng" in page.locator("#kiosk-network").inner_text()
    _complete(page)
    _complete(page)
    _expect_waiting(page, 3)
    queued = _queued_ids(page)
    assert len(queued) == 3

    seen = _storage_as_an_attacker_reads_it(page)
    assert seen["exportable"] is False
    assert not any(COMMENT in text or '"answers"' in text for text in seen["texts"])
    tablet.close()

    tablet = _tablet(browser, profile)
    tablet.set_offline(True)
    page = tablet.pages[0] if tablet.pages else tablet.new_page()
    page.goto(f"{server.url}/k/{centre.code}")  # from the service worker's cache
    page.locator("#kiosk-begin").wait_for()
    _expect_waiting(page, 3)  # the count is read from the stored queue after the page shows ("…" until then)
    # The shell came from the service worker's cache: nothing answers on the network.
    assert page.evaluate("() => fetch('/k/sw.js?uncached').then(() => 'network', () => 'offline')") == "offline"
    assert page.locator("#kiosk-screen input").count() == 0  # nobody's answers on screen after the restart
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1

    server.start()
    tablet.set_offline(False)
    _expect_waiting(page, 0, timeout=SYNC_TIMEOUT_MS)
    tablet.close()

    db_session.expire_all()
    stored = db_session.scalars(select(Response)).all()
    assert sorted(str(r.id) for r in stored) == sorted([str(i) for i in sent_online] + queued)
    for response in stored:
        assert response.channel == "desk" and response.centre_id == centre.id
        comments = db_session.scalars(select(Answer.value).where(Answer.response_id == response.id,
                                                                 Answer.value == COMMENT)).all()
        assert comments, "the queued questionnaire arrived without its comment"
    assert all(uuid.UUID(i).version == 4 for i in queued)


def test_a_questionnaire_left_idle_gives_way_to_a_blank_one(browser, live_server, centre, db_session):
    """The next person at the desk after ten idle minutes sees the start screen, never the answers so far."""
    tablet, page = _paired(browser, live_server, centre, db_session, clock=True)
    page.locator("#kiosk-begin").click()
    _answer_page(page)
    page.locator("#kiosk-screen .nav [data-action=next]").click()
    assert page.locator("#kiosk-screen [data-action=back]").count() == 1

    page.clock.fast_forward("10:01")
    page.locator("#kiosk-begin").wait_for()
    assert page.locator("#kiosk-screen input").count() == 0
    page.locator("#kiosk-begin").click()
    assert page.locator("#kiosk-screen input:checked").count() == 0
    assert page.locator("#kiosk-screen [data-action=back]").count() == 0  # nothing earlier to go back to
    tablet.close()


def test_the_kiosk_speaks_the_questionnaires_other_language(browser, live_server, centre, db_session):
    """A respondent may switch language on the tablet as on the form; the response records it."""
    from survey.i18n import chrome

    tablet, page = _paired(browser, live_server, centre, db_session)
    page.locator("#kiosk-begin").click()
    page.locator("#kiosk-screen [data-action='lang:en']").click()
    assert page.locator("#kiosk-screen .nav .primary").inner_text() == chrome("en")["next"]
    assert page.locator("html").get_attribute("lang") == "en"
    _complete_started(page)
    _expect_waiting(page, 0)
    tablet.close()
    db_session.expire_all()
    assert db_session.scalar(select(Response.language)) == "en"


def test_a_tablet_left_running_takes_up_a_new_wave_between_respondents(browser, live_server, centre, db_session):
    """A wave opened while the kiosk runs reaches the next respondent, not the one in progress."""
    import datetime as dt

    from survey.models import Wave
    from tests.factories import make_wave

    tablet, page = _paired(browser, live_server, centre, db_session, clock=True)
    page.locator("#kiosk-begin").click()
    _answer_page(page)
    newer = make_wave(db_session, code="2026Q4", opens_on=dt.date.today())  # opened mid-questionnaire
    db_session.commit()
    _complete_started(page)
    _expect_waiting(page, 0)
    with page.expect_response(lambda reply: reply.url.endswith("/questionnaire.json")):
        page.clock.fast_forward("00:16")  # the thank-you screen gives way to the start screen
    _complete(page)
    _expect_waiting(page, 0)
    tablet.close()

    db_session.expire_all()
    waves = db_session.scalars(select(Wave.code).join(Response, Response.wave_id == Wave.id)).all()
    assert sorted(waves) == ["2026Q3", newer.code]  # the one in progress kept its wave
