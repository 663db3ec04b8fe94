"""Every command that prints links warns, the same way, when phones could not open them (issue 25).

The attacker here is no one: it is the default ``SURVEY_PUBLIC_BASE_URL`` of a development
install, ``http://127.0.0.1:5000``, printed on a thousand letters or posters whose QR codes
then open each scanning phone itself. Posters warned; invitation letters, receipt links and the
seed's last lines did not.
"""

from __future__ import annotations

import pytest

from survey.public_url import is_loopback, loopback_warning
from tests.factories import make_centre, make_invitations, make_leader_wave, make_wave

PUBLIC = "https://khaosat.daklak.gov.vn"
LOCAL = "http://127.0.0.1:5000"
WARNING = "Cảnh báo:"


@pytest.mark.parametrize("url", [
    LOCAL, "http://localhost:5000", "http://LOCALHOST.", "http://app.localhost", "http://127.8.9.10",
    "http://[::1]:5000", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0:5000",
])
def test_addresses_of_this_machine_only_are_loopback(url):
    assert is_loopback(url)


@pytest.mark.parametrize("url", [
    PUBLIC, "http://192.168.1.20:5000", "http://10.0.0.5", "http://[2001:db8::1]/", "http://localhost-proxy",
    "http://127.example.vn",
])
def test_addresses_a_phone_can_reach_are_not(url):
    assert not is_loopback(url)


def test_the_warning_says_what_and_where_in_vietnamese():
    warning = loopback_warning(LOCAL, "Các mã QR trên áp phích")
    assert warning.startswith("Cảnh báo: Các mã QR trên áp phích trỏ tới http://127.0.0.1:5000")
    assert "SURVEY_PUBLIC_BASE_URL" in warning and "điện thoại" in warning
    assert loopback_warning(PUBLIC, "Các mã QR trên áp phích") is None


def _commands(db_session, tmp_path):
    """Each command that prints links, as argument lists, on a freshly made wave and centre."""
    centre = make_centre(db_session)
    make_wave(db_session)
    leaders = make_leader_wave(db_session)
    make_invitations(db_session, leaders, {"lanh_dao_so": 1})
    db_session.commit()
    return {
        "receipts": ["receipts", "issue", "--centre", centre.code, "--count", "1"],
        "posters": ["posters", "--out", str(tmp_path / "posters"), "--centre", centre.code],
        "letters": ["leaders", "invitations", "--wave", leaders.code, "--format", "html",
                    "--out", str(tmp_path / "letters.html")],
        "links": ["leaders", "invitations", "--wave", leaders.code, "--format", "csv"],
        "seed": ["seed"],
    }


def test_every_command_that_prints_links_warns_on_stderr_only_for_a_local_base(app, runner, db_session,
                                                                              tmp_path):
    commands = _commands(db_session, tmp_path)
    for name, args in commands.items():
        app.config["PUBLIC_BASE_URL"] = LOCAL
        local = runner.invoke(args=args)
        assert local.exit_code == 0, (name, local.output)
        assert local.stderr.count(WARNING) == 1 and LOCAL in local.stderr, name
        assert WARNING not in local.stdout, name  # what is piped to the printer stays clean

        app.config["PUBLIC_BASE_URL"] = PUBLIC
        public = runner.invoke(args=args)
        assert public.exit_code == 0, (name, public.output)
        assert WARNING not in public.output, name


def test_letters_on_a_local_base_warn_on_screen_and_not_on_paper(app, runner, db_session, tmp_path):
    args = _commands(db_session, tmp_path)["letters"]
    app.config["PUBLIC_BASE_URL"] = LOCAL
    assert runner.invoke(args=args).exit_code == 0
    html = (tmp_path / "letters.html").read_text(encoding="utf-8")
    assert html.count('<p class="screen-warning" role="alert">Cảnh báo:') == 1
    assert "@media print{.screen-warning{display:none}}" in html
    assert "/l/" not in html.split('class="screen-warning"', 1)[1].split("</p>", 1)[0]  # no token in it
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    assert runner.invoke(args=args).exit_code == 0
    assert "screen-warning\"" not in (tmp_path / "letters.html").read_text(encoding="utf-8")
