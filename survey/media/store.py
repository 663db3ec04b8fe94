"""Store checked recordings, list them, and find the ones a page plays."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.media.audio import CheckedRecording
from survey.media.model import Recording
from survey.models import Questionnaire
from survey.questionnaire import QuestionnaireDefinition


def store_recordings(session: Session, questionnaire: Questionnaire,
                     checked: list[CheckedRecording]) -> list[Recording]:
    """Add each recording to `questionnaire`, replacing one of the same name."""
    existing = {r.name: r for r in session.scalars(
        select(Recording).where(Recording.questionnaire_id == questionnaire.id,
                                Recording.name.in_([c.name for c in checked])))}
    stored = []
    for recording in checked:
        row = existing.get(recording.name) or Recording(questionnaire=questionnaire, name=recording.name)
        row.content_type, row.size, row.seconds = recording.content_type, len(recording.data), recording.seconds
        row.sha256, row.data = recording.sha256, recording.data
        session.add(row)
        stored.append(row)
    session.flush()
    return stored


def recordings_of(session: Session, questionnaire: Questionnaire) -> list[Recording]:
    """The questionnaire's recordings by name (their bytes are not read)."""
    return list(session.scalars(select(Recording).where(Recording.questionnaire_id == questionnaire.id)
                                .order_by(Recording.name)))


def audio_sources(session: Session, questionnaire: QuestionnaireDefinition, language: str) -> dict[str, str]:
    """The URL of each uploaded recording the questionnaire names in `language`, by file name.

    No query for a language without recordings; a named file not uploaded yet has no URL, so
    its control is left out rather than shown silent.
    """
    names = set(questionnaire.recordings.get(language, {}).values())
    if not names:
        return {}
    rows = session.execute(
        select(Recording.name, Recording.sha256).join(Questionnaire)
        .where(Questionnaire.code == questionnaire.code, Recording.name.in_(names)))
    return {name: url_for("media.recording", checksum=sha256) for name, sha256 in rows}
