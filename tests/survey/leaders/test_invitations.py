"""`flask leaders invitations`: absolute single-use links, shown once, stored only as hashes."""

from __future__ import annotations

import base64
import csv
import io
import re

from sqlalchemy import select

from survey.leaders.tokens import hash_token
from survey.models import LeaderInvitation
from tests.survey.leaders.conftest import answer_all, opens

BASE = "https://khaosat.daklak.gov.vn"
LINK = re.compile(re.escape(BASE) + r"/l/([A-Za-z0-9_-]+)")


def _issue(runner, app, wave, *args):
    app.config["PUBLIC_BASE_URL"] = BASE
    result = runner.invoke(args=["leaders", "invitations", "--wave", wave.code, *args])
    assert result.exit_code == 0, result.output
    if "--out" in args:
        assert "lời mời vào " in result.output and "không còn dùng được." in result.output
    return result.output


def test_csv_gives_each_invitee_an_absolute_link_whose_token_is_stored_only_hashed(
        runner, app, db_session, leader_wave, tokens):
    output = _issue(runner, app, leader_wave, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(output.lstrip("\ufeff"))))
    assert len(rows) == len(tokens)
    db_session.expire_all()
    stored = {i.id: i for i in db_session.scalars(select(LeaderInvitation))}
    for row in rows:
        token = LINK.fullmatch(row["Đường dẫn"]).group(1)
        assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
        invitation = stored[int(row["id"])]
        assert invitation.token_hash == hash_token(token) and token not in invitation.token_hash
        assert row["Họ và tên"] == invitation.full_name
    # the old links (made by the fixture) no longer open anything
    assert all(invitation.token_hash != hash_token(old) for old in tokens for invitation in stored.values())


def test_reissuing_one_invitee_replaces_only_their_link(runner, app, client, db_session, leader_wave, tokens):
    first = LINK.findall(_issue(runner, app, leader_wave, "--format", "csv"))
    target = db_session.scalar(select(LeaderInvitation.id).where(
        LeaderInvitation.token_hash == hash_token(first[0])))
    again = LINK.findall(_issue(runner, app, leader_wave, "--invitee", str(target)))
    assert len(again) == 1 and again[0] != first[0]
    assert not opens(client, first[0])
    assert opens(client, again[0])
    assert opens(client, first[1])


def test_completed_invitees_get_no_new_link(runner, app, client, db_session, leader_wave, tokens):
    answer_all(client, tokens[0])
    output = _issue(runner, app, leader_wave, "--format", "csv")
    assert len(LINK.findall(output)) == len(tokens) - 1
    # its sheet waits in the mix, the invitation not yet completed: still no new link
    done = db_session.scalar(select(LeaderInvitation.id).where(
        LeaderInvitation.token_hash == hash_token(tokens[0])))
    app.config["PUBLIC_BASE_URL"] = BASE
    refused = runner.invoke(args=["leaders", "invitations", "--wave", leader_wave.code,
                                  "--invitee", str(done)])
    assert refused.exit_code != 0 and "(không có, thuộc đợt khác, hoặc đã gửi)" in refused.output


def test_html_letters_are_one_a4_page_each_with_a_qr_code(runner, app, leader_wave, tokens, tmp_path):
    out = tmp_path / "thu-moi.html"
    _issue(runner, app, leader_wave, "--format", "html", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.count('<article class="letter">') == len(tokens)
    assert html.count('src="data:image/svg+xml') == len(tokens)
    assert len(set(LINK.findall(html))) == len(tokens)
    assert "size:A4" in html and "Kính gửi: Ông/Bà" in html


def test_an_unknown_wave_is_a_clear_error(runner):
    result = runner.invoke(args=["leaders", "invitations", "--wave", "2099Q9"])
    assert result.exit_code == 2 and "không có đợt '2099Q9' của bảng hỏi lãnh đạo, quản lý" in result.output


def test_admin_issues_letters_after_confirming(client, auth, leader_wave, tokens):
    auth("admin")
    url = f"/admin/leaders/{leader_wave.code}/invitations"
    refused = client.post(url, data={"format": "html"})
    assert refused.status_code == 302
    letters = client.post(url, data={"format": "html", "confirm": "y"})
    assert letters.status_code == 200
    assert letters.get_data(as_text=True).count('<article class="letter">') == len(tokens)
    assert not opens(client, tokens[0])  # replaced by the printed link
