"""`flask --app wsgi privacy coarsen-times`: apply the retention rule for submission times."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from survey.audit import record
from survey.extensions import db
from survey.privacy.retention import coarsen_submission_times

privacy_group = AppGroup("privacy", help="Quy tắc lưu giữ để dữ liệu lưu trữ không nhận diện được người dân.")


@privacy_group.command("coarsen-times", help="Làm thô thời điểm nộp của các phiếu cũ về khung giờ "
                       "địa phương của phiếu.")
@click.option("--days", type=click.IntRange(0), default=None,
              help="Giữ thời điểm chính xác đến phút trong số ngày này (mặc định: SURVEY_EXACT_TIME_DAYS, 45).")
def coarsen_times_command(days: int | None) -> None:
    """Cut the submission times of older responses back to their local time band."""
    days = current_app.config["EXACT_TIME_DAYS"] if days is None else days
    changed = coarsen_submission_times(db.session, dt.timedelta(days=days), current_app.config["TIMEZONE"])
    record("coarsen_times", None, username="cli", days=days, responses=changed)
    db.session.commit()
    click.echo(f"Đã làm thô thời điểm nộp của {changed} phiếu nộp cách đây hơn {days} ngày.")


COMMANDS = (privacy_group,)
