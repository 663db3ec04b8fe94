"""Submission times: stored to the minute, cut to the local time band after the retention period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey.models import AuditLog, Response
from survey.privacy.timebands import band_start, time_band
from tests.factories import make_centre, make_response, make_wave

ZONE = "Asia/Ho_Chi_Minh"
UTC = dt.timezone.utc


@pytest.mark.parametrize(("utc_hour", "minute", "band"), [
    (23, 30, "00-07"),  # 06:30 local, next day
    (0, 0, "07-09"),    # 07:00 local
    (2, 59, "09-11"),   # 09:59
    (6, 0, "13-15"),    # 13:00
    (9, 45, "15-17"),   # 16:45
    (10, 0, "17-24"),   # 17:00
    (16, 59, "17-24"),  # 23:59
])
def test_time_bands_follow_the_local_office_day(utc_hour, minute, band):
    assert time_band(dt.datetime(2026, 8, 3, utc_hour, minute, tzinfo=UTC), ZONE) == band


def test_band_start_is_the_local_start_of_the_band():
    sent = dt.datetime(2026, 8, 3, 2, 48, 31, tzinfo=UTC)  # 09:48:31 in Đắk Lắk
    assert band_start(sent, ZONE) == dt.datetime(2026, 8, 3, 2, 0, tzinfo=UTC)  # 09:00 local


def test_times_are_stored_to_the_minute(db_session):
    response = make_response(db_session, make_wave(db_session), make_centre(db_session), {"tc1": "4"})
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(Response, response.id)
    assert stored.submitted_at.second == stored.submitted_at.microsecond == 0
    assert stored.started_at.second == 0


def _old_and_recent(db_session):
    wave, centre = make_wave(db_session), make_centre(db_session)
    old = make_response(db_session, wave, centre, {"tc1": "4"})
    recent = make_response(db_session, wave, centre, {"tc1": "5"})
    old.started_at = dt.datetime(2026, 3, 2, 2, 44, tzinfo=UTC)    # 09:44 local
    old.submitted_at = dt.datetime(2026, 3, 2, 2, 48, tzinfo=UTC)  # 09:48 local
    db_session.commit()
    return old, recent


def test_the_command_coarsens_old_times_only_and_is_idempotent(runner, db_session):
    old, recent = _old_and_recent(db_session)
    recent_time = recent.submitted_at
    result = runner.invoke(args=["privacy", "coarsen-times", "--days", "45"])
    assert result.exit_code == 0, result.output
    assert "Đã làm thô thời điểm nộp của 1 phiếu" in result.output
    db_session.expire_all()
    old, recent = db_session.get(Response, old.id), db_session.get(Response, recent.id)
    assert old.submitted_at == old.started_at == dt.datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert old.duration_seconds == 240  # kept: the speeder review needs it
    assert recent.submitted_at == recent_time

    again = runner.invoke(args=["privacy", "coarsen-times", "--days", "45"])
    assert "của 0 phiếu" in again.output
    entries = db_session.scalars(select(AuditLog).where(AuditLog.action == "coarsen_times")).all()
    assert [e.detail["responses"] for e in entries] == [1, 0]


def test_the_retention_period_comes_from_the_configuration(app, runner, db_session):
    old, recent = _old_and_recent(db_session)
    app.config["EXACT_TIME_DAYS"] = 0  # everything older than now
    result = runner.invoke(args=["privacy", "coarsen-times"])
    assert "của 2 phiếu nộp cách đây hơn 0 ngày" in result.output
