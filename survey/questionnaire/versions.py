"""Published questionnaire versions, parsed once: the run-time source of every flow's questionnaire.

A published version never changes once answered, so its definition is parsed once per content
checksum and shared by the citizens' form, the leaders' form, the reports and the admin pages.
This is the one module of the package that reads the database.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from survey.models import QuestionnaireVersion, Wave
from survey.questionnaire.loader import from_dict
from survey.questionnaire.model import QuestionnaireDefinition

# Parsed definitions by content checksum.
_PARSED: dict[str, QuestionnaireDefinition] = {}


def questionnaire_of(wave: Wave, checksum: str | None = None) -> QuestionnaireDefinition:
    """The questionnaire of `wave`, parsed once per distinct definition.

    `checksum`, when the caller already read it, saves the one query this otherwise makes.
    """
    session = object_session(wave)
    if checksum is None:
        checksum = session.scalar(
            select(QuestionnaireVersion.checksum).where(QuestionnaireVersion.id == wave.questionnaire_version_id)
        )
    return parsed_version(session, wave.questionnaire_version_id, checksum)


def parsed_version(session: Session, version_id: int, checksum: str) -> QuestionnaireDefinition:
    """The definition of version `version_id`, whose checksum the caller has read."""
    # Only the checksum is read per request: loading the version row would decode its whole
    # definition JSON on every page post, the largest CPU cost of a page before this.
    parsed = _PARSED.get(checksum)
    if parsed is None:
        parsed = _PARSED[checksum] = from_dict(session.get(QuestionnaireVersion, version_id).definition)
    return parsed
