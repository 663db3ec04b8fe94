"""The printed letters carry a number, a place and date, and a signatory (issue 25).

An official letter of the Sở (thể thức, Nghị định 30/2020/NĐ-CP) has its số và ký hiệu, its
place and date and, under the text, the signatory's authority, title and name. Given when
printing (CLI options or the admin form), they are printed; left out, each is a line of dots to
write in by hand, never a made-up value.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from survey.leaders.invitations import LetterDetails
from tests.survey.leaders.conftest import opens

BASE = "https://khaosat.daklak.gov.vn"
SIGN = re.compile(r'<div class="sign">(.*?)</div>', re.S)


def _letters(runner, app, wave, *args, base=BASE):
    app.config["PUBLIC_BASE_URL"] = base
    result = runner.invoke(args=["leaders", "invitations", "--wave", wave.code, "--format", "html", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(("day", "line"), [
    (dt.date(2026, 2, 4), "Đắk Lắk, ngày 04 tháng 02 năm 2026"),
    (dt.date(2026, 1, 31), "Đắk Lắk, ngày 31 tháng 01 năm 2026"),
    (dt.date(2026, 3, 9), "Đắk Lắk, ngày 09 tháng 3 năm 2026"),
    (dt.date(2026, 12, 15), "Đắk Lắk, ngày 15 tháng 12 năm 2026"),
])
def test_the_date_is_written_as_an_official_letter_writes_it(day, line):
    """Days under 10 and the months January and February take a leading zero; others do not."""
    assert LetterDetails(signed_on=day).date_line == line


def test_the_details_given_are_printed_on_every_letter(runner, app, leader_wave, tokens):
    html = _letters(runner, app, leader_wave, "--number", "125/SNV-CCHC", "--date", "2026-12-04",
                    "--signer-title", "KT. Giám đốc", "--signer-title", "PHÓ GIÁM ĐỐC",
                    "--signer-name", "Nguyễn Văn An").output
    assert html.count('<p class="number">Số: 125/SNV-CCHC</p>') == len(tokens)
    assert html.count('<p class="date">Đắk Lắk, ngày 04 tháng 12 năm 2026</p>') == len(tokens)
    signs = SIGN.findall(html)
    assert len(signs) == len(tokens)
    for sign in signs:
        assert re.findall(r'<p class="role">(.*?)</p>', sign) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
        assert '<p class="signer">Nguyễn Văn An</p>' in sign and "sign-hint" not in sign
        assert "…" not in sign


def test_details_left_out_are_dots_to_fill_by_hand(runner, app, leader_wave, tokens):
    html = _letters(runner, app, leader_wave, "--date", "04/12/2026").output
    assert html.count('<p class="number">Số: ……/SNV-……</p>') == len(tokens)
    assert html.count("Đắk Lắk, ngày 04 tháng 12 năm 2026") == len(tokens)
    for sign in SIGN.findall(html):
        assert '<p class="role">……………………………</p>' in sign
        assert '<p class="signer">……………………………</p>' in sign
        assert "(Ký, ghi rõ họ tên, đóng dấu)" in sign
    undated = _letters(runner, app, leader_wave).output
    assert undated.count("Đắk Lắk, ngày …… tháng …… năm ……") == len(tokens)


def test_letter_details_with_the_csv_are_refused_before_any_link_changes(runner, app, client, leader_wave,
                                                                        tokens):
    app.config["PUBLIC_BASE_URL"] = BASE
    result = runner.invoke(args=["leaders", "invitations", "--wave", leader_wave.code, "--format", "csv",
                                 "--number", "125/SNV-CCHC"])
    assert result.exit_code == 2 and "--signer-name chỉ dùng với --format html" in result.output
    assert opens(client, tokens[0])  # nothing was re-issued


def test_an_impossible_date_is_an_argument_error(runner, app, leader_wave, tokens):
    result = runner.invoke(args=["leaders", "invitations", "--wave", leader_wave.code, "--format", "html",
                                 "--date", "31/02/2026"])
    assert result.exit_code == 2 and "--date" in result.output


def test_the_admin_form_prints_its_details_on_the_letters(client, auth, leader_wave, tokens):
    auth("admin")
    page = client.get(f"/admin/leaders/{leader_wave.code}/roster").get_data(as_text=True)
    for name in ("number", "signed_on", "signer_title", "signer_name"):
        assert f'name="{name}"' in page
    letters = client.post(f"/admin/leaders/{leader_wave.code}/invitations", data={
        "format": "html", "confirm": "y", "number": "  87/SNV-CCHC ", "signed_on": "2026-02-04",
        "signer_title": "KT. GIÁM ĐỐC\r\nPHÓ GIÁM ĐỐC\r\n", "signer_name": "H'Hen Niê"})
    html = letters.get_data(as_text=True)
    assert letters.status_code == 200
    assert html.count("Số: 87/SNV-CCHC<") == len(tokens)
    assert html.count("Đắk Lắk, ngày 04 tháng 02 năm 2026") == len(tokens)
    assert html.count('<p class="role">PHÓ GIÁM ĐỐC</p>') == len(tokens)
    assert html.count("H&#39;Hen Niê") == len(tokens)


def test_the_admin_form_refuses_a_number_too_long_and_issues_nothing(client, auth, leader_wave, tokens):
    auth("admin")
    refused = client.post(f"/admin/leaders/{leader_wave.code}/invitations", data={
        "format": "html", "confirm": "y", "number": "9" * 41}, follow_redirects=True)
    assert "tối đa 40 ký tự" in refused.get_data(as_text=True)
    assert opens(client, tokens[0])
