"""Double taps and draft races: every "Cảm ơn" is one stored response, no request answers 500."""

import threading

import pytest
from sqlalchemy import create_engine, delete, event, func, select, text

from survey.models import Answer, Response, ResponseDraft
from survey.respond.state import load_state
from tests.factories import checks_meet_before_storing
from tests.survey.respond.conftest import Citizen

# Real commits (tests/conftest.py's `commits` mode):
# parallel requests on their own connections, and writes from another connection.
pytestmark = pytest.mark.commits

BARRIER_TIMEOUT = 20


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _post_in_thread(app, data, results, index):
    try:
        response = app.test_client().post("/s", data=data)
        results[index] = (response.status_code, response.headers.get("Location"))
    except Exception as exc:  # under TESTING a 500 propagates as the exception itself
        results[index] = (500, repr(exc))


def test_double_tap_stores_one_row_and_both_taps_see_thanks(app, desk, db_session, monkeypatch):
    """Issue 14: 12 of 12 double taps answered one tap with the 500 page.

    Both requests are held just after the "already stored?" check until both have passed it,
    the interleaving of a real double tap; the database's primary key then decides.
    """
    _, centre, _ = desk
    citizen = Citizen(app.test_client()).open(f"/q/{centre.code}").to_last_page()
    data = citizen.form_data("submit")
    checks_meet_before_storing(monkeypatch, timeout=BARRIER_TIMEOUT)
    results = [None, None]
    taps = [threading.Thread(target=_post_in_thread, args=(app, data, results, i)) for i in range(2)]
    for tap in taps:
        tap.start()
    for tap in taps:
        tap.join(BARRIER_TIMEOUT * 2)
    assert [status for status, _ in results] == [303, 303], results
    assert results[0][1] == results[1][1] and "/cam-on" in results[0][1]
    assert _count(db_session, Response) == 1
    assert _count(db_session, ResponseDraft) == 0
    stored = db_session.scalar(select(Response))
    assert _count(db_session, Answer) == len(stored.answers) > 0


def test_a_late_second_tap_leaves_no_draft_behind(app, citizen, desk, db_session):
    """Issue 14: the losing request re-created a draft after the winner deleted it, and nobody deleted it."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").to_last_page()
    data = citizen.form_data("submit")
    first = app.test_client().post("/s", data=data)
    second = app.test_client().post("/s", data=data)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(db_session, Response) == 1
    assert _count(db_session, ResponseDraft) == 0


def test_an_earlier_page_of_a_stored_submission_creates_no_draft(app, citizen, desk, db_session):
    """Issue 14: a reused submission id (Back after "Cảm ơn", then Next) left an orphan draft row."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next")
    page_two = citizen.html
    citizen.to_last_page().post("submit")
    assert citizen.status == 303 and _count(db_session, Response) == 1
    citizen.html = page_two  # the browser's cached page, the same submission id inside
    citizen.post("next")
    assert citizen.status == 303  # already sent: straight to "Cảm ơn" (issue 15), no draft written
    assert _count(db_session, ResponseDraft) == 0


def test_draft_deleted_by_the_other_tap_mid_request_is_no_error(app, citizen, desk, db_session, database_url):
    """Issue 14: `remember()` wrote into a draft row the other request had just deleted (StaleDataError).

    The other tap's delete is committed from another connection at the instant this request's
    draft write reaches the database, the window in which the real race happened.
    """
    from survey.extensions import db

    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "5"})
    submission = load_state(citizen.state).response_id
    other = create_engine(database_url)
    deleted = []

    def other_tap_deletes_first(conn, cursor, statement, parameters, context, executemany):
        writes_draft = statement.lstrip().upper().startswith(("UPDATE RESPONSE_DRAFT", "INSERT INTO RESPONSE_DRAFT"))
        if not deleted and writes_draft:
            with other.begin() as connection:
                deleted.append(connection.execute(
                    delete(ResponseDraft).where(ResponseDraft.submission_id == submission)).rowcount)

    event.listen(db.engine, "before_cursor_execute", other_tap_deletes_first)
    try:
        citizen.post("next", {"tt1": "2"})
    finally:
        event.remove(db.engine, "before_cursor_execute", other_tap_deletes_first)
        other.dispose()
    assert deleted == [1]
    assert citizen.status == 200
    (draft,) = db_session.scalars(select(ResponseDraft)).all()
    assert draft.answers["tc1"] == "5" and draft.answers["tt1"] == "2"


def test_a_draft_write_blocked_by_a_lock_is_skipped_not_an_error(app, citizen, desk, db_session, database_url, caplog):
    """Issue 14: SQLite locked past the busy timeout turned a page post into a 500; the draft is best-effort."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "5"})
    sqlite_autocommit = {"isolation_level": None} if database_url.startswith("sqlite") else {}
    other = create_engine(database_url, connect_args=sqlite_autocommit)
    with other.connect() as connection:
        if other.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # another process holds the write lock
        else:
            connection.begin()
            connection.execute(text("LOCK TABLE response_draft IN EXCLUSIVE MODE"))
        citizen.post("next", {"tt1": "2"})
        connection.rollback() if other.dialect.name != "sqlite" else connection.exec_driver_sql("ROLLBACK")
    other.dispose()
    assert citizen.status == 200
    state = load_state(citizen.state)
    assert state.page == 2 and state.answers["tt1"] == "2"  # the signed state still has everything
    assert "draft of submission" in caplog.text
    (draft,) = db_session.scalars(select(ResponseDraft)).all()
    assert "tt1" not in draft.answers
