"""The server copy of answers in progress: kept while filling, dropped once stored."""

import datetime as dt
import uuid

from sqlalchemy import func, select

from survey.models import Response, ResponseDraft
from survey.respond.state import load_state


def _drafts(session):
    session.expire_all()
    return session.scalars(select(ResponseDraft)).all()


def test_each_page_post_updates_the_draft_and_storing_drops_it(citizen, desk, db_session):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "5"})
    (draft,) = _drafts(db_session)
    assert draft.submission_id == load_state(citizen.state).response_id
    assert draft.answers["tc1"] == "5"

    citizen.finish({"other_comments": "Gọi tôi 0912345678"})
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1
    assert _drafts(db_session) == []


def test_free_text_never_reaches_the_draft(citizen, desk, db_session):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    while 'name="other_comments"' not in citizen.html:
        citizen.post("next")
    citizen.post("back", {"other_comments": "Gọi tôi 0912345678"})  # posted, then one page back
    assert load_state(citizen.state).answers.get("other_comments") == "Gọi tôi 0912345678"
    (draft,) = _drafts(db_session)
    assert "other_comments" not in draft.answers and draft.answers  # the rest is kept


def test_an_older_page_posted_again_gets_the_later_answers_back(citizen, desk, db_session):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next")
    page_two = citizen.html  # as a browser's Back would show it from its cache, old state inside
    citizen.post("next", {"tt1": "2"}).post("next", {"cc1": "1"})
    assert load_state(citizen.state).page == 3

    citizen.html = page_two
    citizen.post("next", {"tt1": "3"})  # page 2 changed, then Next
    state = load_state(citizen.state)
    assert state.page == 2 and state.answers["tt1"] == "3" and state.answers["cc1"] == "1"


def test_unfinished_drafts_are_purged_when_a_response_is_stored(citizen, desk, db_session):
    _, centre, _ = desk
    stale = ResponseDraft(submission_id=uuid.uuid4(), answers={"tc1": "4"},
                          updated_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3))
    fresh = ResponseDraft(submission_id=uuid.uuid4(), answers={"tc1": "2"})
    db_session.add_all([stale, fresh])
    db_session.commit()
    citizen.open(f"/q/{centre.code}").finish()
    assert [d.submission_id for d in _drafts(db_session)] == [fresh.submission_id]
