"""One clock: "now" in UTC for storage, "today" in the configured time zone."""

import datetime as dt

from survey.clock import local_now, local_today, to_local, utcnow


def test_now_is_timezone_aware_utc(app):
    assert utcnow().utcoffset() == dt.timedelta(0)


def test_today_follows_the_configured_zone_not_the_server(app):
    # 25 hours apart: whatever the moment, Kiritimati's date is later than Pago Pago's.
    app.config["TIMEZONE"] = "Pacific/Kiritimati"
    ahead = local_today()
    app.config["TIMEZONE"] = "Pacific/Pago_Pago"
    behind = local_today()
    assert ahead > behind
    assert local_now().utcoffset() == dt.timedelta(hours=-11)


def test_to_local_keeps_the_instant(app):
    moment = dt.datetime(2026, 11, 24, 17, 30, tzinfo=dt.timezone.utc)
    local = to_local(moment)
    assert local == moment
    assert (local.date(), local.hour) == (dt.date(2026, 11, 25), 0)  # Asia/Ho_Chi_Minh is UTC+7
