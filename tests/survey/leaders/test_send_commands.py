"""`flask leaders send`, the send button of the progress page, and the relays' settings.

The relays are real: aiosmtpd and the recording HTTP gateway of test_send.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from survey.config import ConfigError, load_config
from tests.factories import make_leader_wave, make_locality
from tests.survey.leaders.test_send import BASE, LINK, gateway, invitees, mailbox  # noqa: F401 (fixtures)


@pytest.fixture
def email_settings(app, mailbox):  # noqa: F811 (the fixture imported above)
    box, port = mailbox
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{port}", MAIL_FROM="Sở Nội vụ <khaosat@daklak.gov.vn>",
                      PUBLIC_BASE_URL=BASE)
    return box


def _send(runner, wave, channel: str = "email", *extra: str):
    return runner.invoke(args=["leaders", "send", "--wave", wave.code, "--channel", channel, *extra])


def test_the_command_sends_once_and_a_second_run_sends_nothing(runner, leader_wave, invitees,  # noqa: F811
                                                               email_settings):
    first = _send(runner, leader_wave)
    assert first.exit_code == 0, first.output
    assert "lần này đã gửi 6, lỗi 0" in first.output and "đã gửi 6" in first.output
    assert len(email_settings.messages) == 6
    second = _send(runner, leader_wave)
    assert "lần này đã gửi 0, lỗi 0" in second.output and len(email_settings.messages) == 6
    for _, message in email_settings.messages:
        assert LINK.search(message.get_content()).group(1) not in first.output + second.output


def test_the_command_names_a_missing_setting_and_a_wave_that_is_over(runner, db_session, leader_wave,
                                                                      invitees, email_settings):  # noqa: F811
    unconfigured = _send(runner, leader_wave, "sms")
    assert unconfigured.exit_code == 2 and "SURVEY_SMS_URL" in unconfigured.output
    over = make_leader_wave(db_session, code="PAR-2025Q4", opens_on=dt.date(2025, 10, 1),
                            closes_on=dt.date(2025, 12, 31))
    db_session.commit()
    ended = _send(runner, over)
    assert ended.exit_code == 2 and "đã kết thúc ngày 31/12/2025" in ended.output
    assert email_settings.messages == []


def test_the_send_button_queues_a_job_that_sends(app, client, auth, leader_wave, invitees,  # noqa: F811
                                                 email_settings):
    app.config["JOBS_URL"] = "immediate://"  # the job runs inside the click, as the consumer would
    auth("admin")
    page = client.post(f"/admin/leaders/{leader_wave.code}/send", data={"channel": "email", "reminders": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã đưa việc gửi qua Email vào hàng đợi" in page
    assert len(email_settings.messages) == 6
    again = client.post(f"/admin/leaders/{leader_wave.code}/send", data={"channel": "email", "reminders": "0"})
    assert again.status_code == 302 and len(email_settings.messages) == 6


@pytest.mark.parametrize(("data", "message"), [
    ({"channel": "sms", "reminders": "0"}, "Chưa cấu hình gửi SMS"),
    ({"channel": "fax", "reminders": "0"}, "Lựa chọn không hợp lệ."),
    ({"channel": "email", "reminders": "99"}, "Số lần nhắc phải từ 0 đến 10."),
    ({"channel": "email", "reminders": "ba"}, "Vui lòng nhập một số nguyên."),
])
def test_the_send_button_refuses_bad_input_with_a_message(app, client, auth, leader_wave, invitees,  # noqa: F811
                                                          email_settings, data, message):
    app.config["JOBS_URL"] = "immediate://"
    auth("admin")
    response = client.post(f"/admin/leaders/{leader_wave.code}/send", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert email_settings.messages == []


def test_only_the_province_admin_sends(client, auth, db_session, leader_wave, invitees, email_settings):  # noqa: F811
    auth("officer", make_locality(db_session))
    response = client.post(f"/admin/leaders/{leader_wave.code}/send", data={"channel": "email", "reminders": "0"})
    assert response.status_code == 403 and email_settings.messages == []


def test_the_progress_page_offers_the_send_form_with_counts_for_both_channels(client, auth, leader_wave):
    auth("admin")
    page = client.get(f"/admin/leaders/{leader_wave.code}/progress").get_data(as_text=True)
    assert f'action="/admin/leaders/{leader_wave.code}/send"' in page
    assert "Tin nhắn SMS" in page and "Chờ gửi" in page and "Đã gửi" in page


ENV = {"SURVEY_SECRET_KEY": "x" * 32}


@pytest.mark.parametrize(("name", "value", "says"), [
    ("SURVEY_SMTP_URL", "smtp://khaosat:mat-khau@mail.daklak.gov.vn:25", "password in clear"),
    ("SURVEY_SMTP_URL", "imap://mail.daklak.gov.vn", "smtp://user:password@host:port"),
    ("SURVEY_SMTP_URL", "smtps://khaosat:mat-khau@mail.daklak.gov.vn?starttls=1", "starttls=1 is for smtp://"),
    ("SURVEY_SMS_URL", "http://sms.example.vn/send", "https://"),
    ("SURVEY_MAIL_FROM", "khaosat", "e-mail address"),
])
def test_relay_settings_that_would_leak_or_cannot_work_are_refused(tmp_path, name, value, says):
    with pytest.raises(ConfigError) as refused:
        load_config(str(tmp_path), {**ENV, name: value})
    assert name in str(refused.value) and says in str(refused.value)
    assert "mat-khau" not in str(refused.value)


def test_relay_settings_that_keep_secrets_in_tls_are_read(tmp_path):
    config = load_config(str(tmp_path), {
        **ENV, "SURVEY_SMTP_URL": "smtp://khaosat:mat%40khau@mail.daklak.gov.vn?starttls=1",
        "SURVEY_MAIL_FROM": "Sở Nội vụ <khaosat@daklak.gov.vn>", "SURVEY_SMS_URL": "https://sms.example.vn/send",
        "SURVEY_SMS_KEY": "khoa", "SURVEY_SEND_RATE": "10 per minute"})
    from survey.leaders.senders import SmtpSettings

    smtp = SmtpSettings.from_url(config["SMTP_URL"])
    assert (smtp.port, smtp.starttls, smtp.password) == (587, True, "mat@khau")
    assert config["SEND_RATE"] == "10 per minute" and config["SMS_KEY"] == "khoa"
