"""A questionnaire version answered only by leaders never changes, as one answered by citizens.

The guarded operations are the two ways to change a stored version: an edit through the model
(`survey.models.responses`, which names the version and says to publish a new one) and any
other UPDATE, raw SQL included (the database's trigger). A leader's sheet waiting in the mix
counts as an answer, since it will be released against the version; a draft does not, as a
citizen's does not.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from survey.clock import local_today
from survey.leaders.mix import BLOCK
from survey.leaders.store import settle
from survey.models import (
    ImmutableVersionError,
    LeaderDraft,
    LeaderResponse,
    LeaderSealed,
    QuestionnaireVersion,
    Wave,
)
from tests.factories import make_invitations
from tests.survey.leaders.conftest import answer_all, close, page_answers, post, start

REFUSED_BY_MODEL = r"Phiên bản par-leaders-2026 v1 của phiếu khảo sát đã có người trả lời.*phiên bản mới"
REFUSED_BY_DATABASE = "questionnaire_version has responses and cannot be changed"
GROUP = "truong_phong"
EDITED_TITLE = {"vi": "Phiếu đã sửa"}


def _edited(definition: dict) -> dict:
    return {**definition, "title": EDITED_TITLE}


def _edit_through_the_model(db_session, version_id: int) -> None:
    version = db_session.get(QuestionnaireVersion, version_id)
    version.definition = _edited(version.definition)
    db_session.flush()


def _edit_with_sql(db_session, version_id: int) -> None:
    definition = db_session.scalar(select(QuestionnaireVersion.definition)
                                   .where(QuestionnaireVersion.id == version_id))
    db_session.execute(update(QuestionnaireVersion).where(QuestionnaireVersion.id == version_id)
                       .values(definition=_edited(definition)).execution_options(synchronize_session=False))


EDITS = {
    "model": (_edit_through_the_model, ImmutableVersionError, REFUSED_BY_MODEL),
    "sql": (_edit_with_sql, IntegrityError, REFUSED_BY_DATABASE),
}


def _stored(db_session, version_id: int) -> tuple:
    """The version as stored, and the leaders' sheets of its waves, read afresh."""
    db_session.expire_all()
    version = db_session.get(QuestionnaireVersion, version_id)
    waves = select(Wave.id).where(Wave.questionnaire_version_id == version_id)
    sheets = tuple(db_session.scalar(select(func.count()).select_from(model).where(model.wave_id.in_(waves)))
                   for model in (LeaderSealed, LeaderResponse))
    return version.checksum, version.definition, sheets


@pytest.fixture(params=["sealed", "released"])
def answered_by_leaders(request, client, db_session, leader_wave) -> int:
    """The version of a leaders' wave no citizen answered, with one sheet waiting in the mix
    ("sealed") or one block released from it ("released"); returns the version's id."""
    count = 1 if request.param == "sealed" else BLOCK
    tokens = make_invitations(db_session, leader_wave, {GROUP: count})
    db_session.commit()
    for token in tokens:
        answer_all(client, token)
    if request.param == "released":
        close(db_session, leader_wave)
        settle(db_session, db_session.get(Wave, leader_wave.id), local_today())
    version_id = leader_wave.questionnaire_version_id
    waiting, released = _stored(db_session, version_id)[2]
    assert (waiting, released) == ((1, 0) if request.param == "sealed" else (0, BLOCK))
    return version_id


@pytest.mark.parametrize("edit", EDITS)
def test_a_version_answered_only_by_leaders_is_refused_and_unchanged(db_session, answered_by_leaders, edit):
    change, error, message = EDITS[edit]
    before = _stored(db_session, answered_by_leaders)
    with pytest.raises(error, match=message):
        change(db_session, answered_by_leaders)
    db_session.rollback()
    assert _stored(db_session, answered_by_leaders) == before


@pytest.mark.parametrize("edit", EDITS)
def test_a_leaders_draft_alone_leaves_the_version_correctable(client, db_session, leader_wave, edit):
    """A draft is not an answer yet, for leaders as for citizens: the version can still be corrected."""
    token = make_invitations(db_session, leader_wave, {GROUP: 1})[0]
    db_session.commit()
    start(client, token)
    post(client, token, page=0, action="next", **page_answers(0))
    assert db_session.scalar(select(func.count()).select_from(LeaderDraft)) == 1
    version_id = leader_wave.questionnaire_version_id
    change, _, _ = EDITS[edit]
    change(db_session, version_id)
    db_session.commit()
    assert _stored(db_session, version_id)[1]["title"] == EDITED_TITLE
