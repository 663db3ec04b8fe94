"""The mix: submitted sheets wait, encrypted, and are released in shuffled blocks of one group.

Rule (written in docs/security.md): while a wave is open, a group's waiting sheets are released
when ten or more wait, all but five chosen at random; when the wave is over, every group with at
least five waiting is released whole. A group with fewer than five sheets in the whole wave is
never released (its count is shown, its answers are not). So every release adds at least five
responses of one group and turns at least five of that group's invitations completed, in one
transaction whose rows are written in random order: the database, its WAL, PostgreSQL's
transaction ids and physical order, and the progress page over time can tie a response only to
a block of at least five leaders of its group, never to one.

A released sheet's answers are rows of the one answer table (`Answer.leader_response_id`,
values kept as `Item.stored` keeps a citizen's), written in the same transaction right after
the block's responses and in the same shuffled order. Their integer ids come from the table's
one sequence, shared with citizens' answers, so they are drawn in the shuffled order too: the
ids (and SQLite's rowids, PostgreSQL's ctid and xmin) of a block's answer rows tell when the
block was released, which the completed invitations on the progress page already tell, and
within the block only the mixer's random order, never the order of arrival.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from survey.leaders.sealing import mix_marker, open_sheet, seal_sheet
from survey.models import UNIT_TYPE_OF_GROUP, Answer, LeaderInvitation, LeaderResponse, LeaderSealed, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.versions import questionnaire_of

BLOCK = 5
"""The smallest set of leaders of one group a released response can be traced to."""
_shuffle = random.SystemRandom()


def is_sealed(session: Session, invitation: LeaderInvitation | None) -> bool:
    """Whether this invitation's sheet waits in the mix.

    For no invitation (an unknown or replaced token) the same HMAC and the same read are made,
    so the answer to any token costs the same work.
    """
    wave_id, invitation_id = (0, 0) if invitation is None else (invitation.wave_id, invitation.id)
    marker = mix_marker(wave_id, invitation_id)
    found = session.scalar(select(LeaderSealed.id).where(LeaderSealed.marker == marker)) is not None
    return invitation is not None and found


def seal(session: Session, invitation: LeaderInvitation, answers: dict[str, Any]) -> None:
    """Put a submitted sheet in the mix (caller holds the invitation's lock and commits).

    The marker is unique, so even a racing second sheet past the lock could not be stored.
    """
    session.add(LeaderSealed(id=secrets.token_hex(16), wave_id=invitation.wave_id,
                             marker=mix_marker(invitation.wave_id, invitation.id),
                             box=seal_sheet(invitation.wave_id, {"invitation": invitation.id,
                                                                 "group": invitation.group_code,
                                                                 "answers": answers})))


def waiting(session: Session, wave: Wave) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The wave's waiting sheets by group: (row id, sheet); sheets sealed under another key are left out."""
    by_group: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for row_id, box in session.execute(select(LeaderSealed.id, LeaderSealed.box)
                                       .where(LeaderSealed.wave_id == wave.id)):
        sheet = open_sheet(wave.id, box)
        if sheet is not None:
            by_group[sheet["group"]].append((row_id, sheet))
    return dict(by_group)


def waiting_counts(session: Session, wave: Wave) -> dict[str, int]:
    """How many sheets of each group wait in the mix."""
    return {group: len(sheets) for group, sheets in waiting(session, wave).items()}


def _due(sheets: list, wave_over: bool) -> list:
    if wave_over:
        return list(sheets) if len(sheets) >= BLOCK else []
    if len(sheets) < 2 * BLOCK:
        return []
    return _shuffle.sample(sheets, len(sheets) - BLOCK)


def release(session: Session, wave: Wave, today: dt.date) -> int:
    """Release the wave's due blocks, each in its own transaction; returns the responses written."""
    wave_over = not wave.accepts_responses(today)
    written = 0
    for group, sheets in waiting(session, wave).items():
        block = _due(sheets, wave_over)
        if block:
            written += _release_block(session, wave, group, block)
    return written


def _answer_rows(questionnaire: QuestionnaireDefinition, response_id: uuid.UUID,
                 answers: dict[str, Any]) -> list[dict[str, Any]]:
    """A sheet's answers as answer rows, kept as the citizens' store keeps the same item types."""
    items = questionnaire.items_by_code
    rows = []
    for code, answer in answers.items():
        value = items[code].stored(answer)
        rows.append({"leader_response_id": response_id, "item_code": code, "value": value,
                     "score": items[code].score(value)})
    return rows


def _release_block(session: Session, wave: Wave, group: str, block: list) -> int:
    _shuffle.shuffle(block)
    ids = [row_id for row_id, _ in block]
    taken = session.execute(delete(LeaderSealed).where(LeaderSealed.id.in_(ids))
                            .execution_options(synchronize_session=False))
    if taken.rowcount != len(ids):
        session.rollback()  # another request released some of them first
        return 0
    unit_type = UNIT_TYPE_OF_GROUP[group].value
    released = [(uuid.uuid4(), sheet) for _, sheet in block]
    # One executemany for the responses, one for their answers, rows in the shuffled order:
    # rowid, ctid, xmin and the answers' ids say nothing per leader.
    session.execute(insert(LeaderResponse), [
        {"id": response_id, "wave_id": wave.id, "group_code": group, "unit_type": unit_type}
        for response_id, _ in released])
    questionnaire = questionnaire_of(wave)
    answers = [row for response_id, sheet in released
               for row in _answer_rows(questionnaire, response_id, sheet["answers"])]
    if answers:
        session.execute(insert(Answer.__table__), answers)
    session.execute(update(LeaderInvitation)
                    .where(LeaderInvitation.id.in_(sorted(s["invitation"] for _, s in block)))
                    .values(completed=True).execution_options(synchronize_session=False))
    session.commit()
    return len(block)


def release_all(session: Session, today: dt.date) -> int:
    """Release what is due in every wave that has sheets waiting."""
    waves = session.scalars(select(Wave).where(
        Wave.id.in_(select(LeaderSealed.wave_id).distinct()))).all()
    return sum(release(session, wave, today) for wave in waves)
