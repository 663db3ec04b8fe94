"""Quality signals: recorded on the response, never used to delete it."""

import datetime as dt

from sqlalchemy import select

from survey.models import Response
from survey.respond.quality import (
    BURST_MAX,
    Submission,
    is_outside_hours,
    is_speeder,
    is_straight_lining,
    quality_flags,
)
from tests.factories import make_response

HCM = "Asia/Ho_Chi_Minh"


def _submission(duration=600, answered=50):
    return Submission(1, 1, dt.datetime.now(dt.timezone.utc), duration, answered, [], None, False)


def test_speeder_threshold_grows_with_answers():
    assert is_speeder(_submission(duration=20, answered=50))
    assert not is_speeder(_submission(duration=200, answered=50))
    assert not is_speeder(_submission(duration=20, answered=5))


def test_straight_lining_needs_ten_identical_scores():
    assert is_straight_lining([4] * 12)
    assert not is_straight_lining([4] * 9)
    assert not is_straight_lining([4] * 11 + [5])


def test_office_hours_in_vietnam_time():
    tuesday_9am = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.timezone.utc)  # 09:00 in Hà Nội
    tuesday_10pm = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone.utc)
    sunday_9am = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.timezone.utc)
    assert not is_outside_hours(tuesday_9am, HCM)
    assert is_outside_hours(tuesday_10pm, HCM)
    assert is_outside_hours(sunday_9am, HCM)


def test_outside_hours_only_for_the_desk_channel(db_session):
    """A receipt-QR citizen answering at home at 22:00 is normal; the same hour at a desk is not."""
    tuesday_10pm = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone.utc)
    base = dict(wave_id=1, centre_id=None, submitted_at=tuesday_10pm, duration_seconds=600, answered=20,
                scores=[], device_hash=None, scrubbed=False)
    assert "outside_hours" in quality_flags(db_session, Submission(**base, channel="desk"), HCM)
    assert "outside_hours" not in quality_flags(db_session, Submission(**base, channel="receipt"), HCM)


def test_burst_and_repeat_device_are_flagged_on_submission(citizen, desk, db_session):
    wave, centre, _ = desk
    for _ in range(BURST_MAX):
        make_response(db_session, wave, centre, {"tc1": "5"})
    db_session.commit()
    citizen.open(f"/q/{centre.code}").finish()
    first = db_session.scalars(select(Response).where(Response.channel == "desk",
                                                      Response.device_hash.is_not(None))).one()
    assert "burst" in first.quality_flags
    assert "repeat_device" not in first.quality_flags
    assert "straight_lining" in first.quality_flags  # every scale item answered 4

    citizen.open(f"/q/{centre.code}").finish()
    # times are stored to the minute, so the second response is told apart by id, not by time
    (latest,) = db_session.scalars(
        select(Response).where(Response.device_hash.is_not(None), Response.id != first.id)
    ).all()
    assert "repeat_device" in latest.quality_flags
    assert latest.review_status == "included"


def test_free_text_is_scrubbed_and_noted(citizen, desk, db_session):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").finish(
        {"other_comments": "Gọi tôi 0912345678 hoặc email an@example.com, CCCD 001203004005"}
    )
    response = db_session.scalars(select(Response)).one()
    comment = next(a.value for a in response.answers if a.item_code == "other_comments")
    assert "0912345678" not in comment and "an@example.com" not in comment
    assert "001203004005" not in comment
    assert "scrubbed" in response.quality_flags
