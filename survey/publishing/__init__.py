"""Publish questionnaire files as immutable versions in the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import Questionnaire, QuestionnaireKind, QuestionnaireVersion
from survey.questionnaire import QuestionnaireDefinition, load_directory


def publish(
    session: Session, definition: QuestionnaireDefinition
) -> tuple[QuestionnaireVersion, bool]:
    """Store `definition` as a new version unless an identical one exists; say whether it is new."""
    title = definition.title.get("vi") or definition.code
    questionnaire = session.scalar(
        select(Questionnaire).where(Questionnaire.code == definition.code)
    )
    if questionnaire is None:
        questionnaire = Questionnaire(code=definition.code, title=title, kind=definition.kind)
        session.add(questionnaire)
        session.flush()
    checksum = definition.checksum
    existing = session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == questionnaire.id,
            QuestionnaireVersion.checksum == checksum,
        )
    )
    if existing is not None:
        return existing, False
    latest = session.scalar(
        select(func.max(QuestionnaireVersion.number)).where(
            QuestionnaireVersion.questionnaire_id == questionnaire.id
        )
    )
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=(latest or 0) + 1,
        checksum=checksum,
        definition=definition.to_dict(),
    )
    questionnaire.title = title
    session.add(version)
    session.flush()
    return version, True


def publish_directory(session: Session, directory: Path) -> list[tuple[QuestionnaireVersion, bool]]:
    """Publish every questionnaire file in `directory` (all-or-nothing on load errors)."""
    return [publish(session, definition) for definition in load_directory(directory)]


def latest_version(session: Session, kind: QuestionnaireKind) -> QuestionnaireVersion | None:
    """The newest published version of the main survey of `kind`: a questionnaire declaring a
    `wave_prefix` runs beside the main one and never takes the seeded or demo waves."""
    versions = session.scalars(
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(Questionnaire.kind == kind)
        .order_by(QuestionnaireVersion.published_at.desc(), QuestionnaireVersion.id.desc())
    )
    return next((version for version in versions if not version.definition.get("wave_prefix")), None)
