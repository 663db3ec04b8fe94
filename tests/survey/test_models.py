"""Check constraints and guards protect the data model's invariants."""

import datetime as dt

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from survey.models import (
    AdminCount,
    Answer,
    AppendOnlyError,
    AuditLog,
    Channel,
    ImmutableVersionError,
    Locality,
    LocalityKind,
    QuestionnaireKind,
    QuestionnaireVersion,
    ReviewStatus,
    User,
    UserRole,
    Wave,
    WaveStatus,
)
from tests.factories import make_centre, make_field, make_response, make_user, make_version, make_wave


def _assert_rejected(session, obj):
    session.add(obj)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_answer_score_must_be_within_scale(db_session):
    wave = make_wave(db_session)
    response = make_response(db_session, wave, make_centre(db_session), {})
    _assert_rejected(db_session, Answer(response=response, item_code="tc1", value="6", score=6))


def test_dossier_counts_cannot_be_negative(db_session):
    centre, field = make_centre(db_session), make_field(db_session)
    _assert_rejected(
        db_session, AdminCount(centre=centre, field=field, quarter="2026Q3", dossiers_resolved=-1)
    )


def test_officer_needs_a_locality(db_session):
    _assert_rejected(db_session, User(username="o", password_hash="x", role="officer"))


def test_wave_cannot_close_before_it_opens(db_session):
    version = make_version(db_session)
    _assert_rejected(
        db_session,
        Wave(
            code="2026Q1",
            questionnaire_version=version,
            opens_on=dt.date(2026, 3, 31),
            closes_on=dt.date(2026, 1, 1),
        ),
    )


def test_version_with_responses_is_immutable(db_session):
    wave = make_wave(db_session)
    make_response(db_session, wave, make_centre(db_session), {"tc1": "4"})
    version = wave.questionnaire_version
    version.definition = {**version.definition, "code": "edited"}
    refused = r"Phiên bản sipas-2026 v1 của phiếu khảo sát đã có người trả lời.*phiên bản mới"
    with pytest.raises(ImmutableVersionError, match=refused):
        db_session.flush()
    db_session.rollback()


def test_version_without_responses_can_be_corrected(db_session):
    version = make_version(db_session)
    version.checksum = "corrected"
    db_session.flush()
    assert version.checksum == "corrected"


def _set_checksum(version_id: int, checksum: str):
    return (
        update(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == version_id)
        .values(checksum=checksum)
        .execution_options(synchronize_session=False)
    )


def test_the_database_itself_refuses_to_change_an_answered_version(db_session):
    """A Core update(), which bypasses the ORM guard, meets the migration's trigger."""
    wave = make_wave(db_session)
    make_response(db_session, wave, make_centre(db_session), {"tc1": "4"})
    db_session.commit()
    version_id, checksum = wave.questionnaire_version_id, wave.questionnaire_version.checksum
    with pytest.raises(IntegrityError, match="questionnaire_version has responses"):
        db_session.execute(_set_checksum(version_id, "edited"))
    db_session.rollback()
    stored = select(QuestionnaireVersion.checksum).where(QuestionnaireVersion.id == version_id)
    assert db_session.scalar(stored) == checksum


def test_the_trigger_lets_an_unanswered_version_be_corrected(db_session):
    wave = make_wave(db_session)
    db_session.commit()
    db_session.execute(_set_checksum(wave.questionnaire_version_id, "corrected"))
    db_session.commit()
    stored = select(QuestionnaireVersion.checksum).where(QuestionnaireVersion.id == wave.questionnaire_version_id)
    assert db_session.scalar(stored) == "corrected"


@pytest.mark.parametrize(
    ("table", "column", "enum"),
    [
        ("locality", "kind", LocalityKind),
        ("questionnaire", "kind", QuestionnaireKind),
        ("wave", "status", WaveStatus),
        ("user_account", "role", UserRole),
        ("response", "channel", Channel),
        ("response", "review_status", ReviewStatus),
    ],
)
def test_enum_columns_hold_exactly_their_enums_values(db_session, table, column, enum):
    """Raw SQL meets a CHECK constraint listing the StrEnum's values, and only those."""
    wave = make_wave(db_session)
    make_response(db_session, wave, make_centre(db_session), {"tc1": "4"})
    make_user(db_session, "officer", UserRole.OFFICER, db_session.scalar(select(Locality)))
    db_session.commit()
    for value in enum:
        db_session.execute(text(f"UPDATE {table} SET {column} = :value"), {"value": value.value})
        db_session.flush()
    db_session.rollback()
    with pytest.raises(IntegrityError):
        db_session.execute(text(f"UPDATE {table} SET {column} = 'unknown'"))
    db_session.rollback()


def test_audit_log_is_append_only(db_session):
    entry = AuditLog(username="admin", action="login")
    db_session.add(entry)
    db_session.flush()
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        db_session.flush()
    db_session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'tampered'", "DELETE FROM audit_log"])
def test_the_database_itself_refuses_to_change_audit_rows(db_session, statement):
    """Raw SQL, which bypasses the ORM guard, meets the migration's triggers."""
    db_session.add(AuditLog(username="admin", action="login"))
    db_session.commit()
    with pytest.raises(DBAPIError, match="audit_log is append-only"):
        db_session.execute(text(statement))
    db_session.rollback()
    assert db_session.scalar(select(AuditLog.action)) == "login"
