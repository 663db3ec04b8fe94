"""Printable receipt slips: 10 per A4 sheet, each a QR code and a short code typed at /m."""

from __future__ import annotations

import html as htmllib
import re

from sqlalchemy import select

from survey.models import AuditLog, ReceiptBatch
from survey.respond.receipts import find_by_short_code, issue_batch, normalise_code, short_code
from tests.factories import make_centre, make_locality, make_wave


def test_issue_and_print_a_sheet_of_slips(client, db_session, auth):
    centre = make_centre(db_session)
    db_session.commit()
    auth("officer", centre.locality)
    issued = client.post("/admin/receipts", data={"centre_id": centre.id, "field_id": 0, "count": 12, "sheet": "1"})
    assert issued.status_code == 302
    batch = db_session.scalar(select(ReceiptBatch))
    assert issued.headers["Location"].endswith(f"/admin/receipts/{batch.id}/sheet")
    sheet = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert sheet.count('class="slip"') == 12 and sheet.count('class="sheet"') == 2  # 10 + 2
    assert sheet.count('src="data:image/svg+xml') == 12
    codes = re.findall(r'<p class="code">([0-9A-Z]{4}-[0-9A-Z]{4})</p>', sheet)
    assert len(set(codes)) == 12
    assert "/m</strong>" in sheet and "Ông/Bà" in sheet
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "receipt_sheet_print")).detail["count"] == 12


def test_officer_cannot_print_another_localitys_batch(client, db_session, auth):
    mine = make_centre(db_session)
    other = make_centre(db_session, make_locality(db_session, "24002", "Xã Hai"))
    issue_batch(db_session, other, 2)
    db_session.commit()
    batch = db_session.scalar(select(ReceiptBatch))
    auth("officer", mine.locality)
    assert client.get(f"/admin/receipts/{batch.id}/sheet").status_code == 404


def test_a_typed_code_opens_the_receipts_questionnaire(client, db_session):
    make_wave(db_session)
    centre = make_centre(db_session)
    token = issue_batch(db_session, centre, 1)[0]
    db_session.commit()
    code = short_code(token)
    assert normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")
    assert find_by_short_code(db_session, code) == token
    opened = client.get("/m?ma=" + code.lower())
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/r/{token}")
    wrong = client.get("/m?ma=ZZZZ-ZZZZ")
    assert wrong.status_code == 404 and "Không tìm thấy mã này" in wrong.get_data(as_text=True)
    assert client.get("/m").status_code == 200


def test_misread_letters_are_forgiven_and_garbage_refused(client):
    assert normalise_code("ab0o-1il2") == "AB001112"
    assert normalise_code("short") is None and normalise_code("ABCD-EFG!") is None
    page = client.get("/m?ma=<b>x</b>").get_data(as_text=True)
    assert "<b>x</b>" not in page and htmllib.escape("<b>x</b>") in page
