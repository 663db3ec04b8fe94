"""Hostile input on the citizen side: control characters, huge bodies, long URLs, deep JSON."""

import json

from sqlalchemy import func, select

from survey.models import Answer, ReceiptToken, Response


def test_nul_in_free_text_is_stripped_and_the_response_stored(citizen, desk, db_session):
    """Issue 14: a NUL byte in free text answered 500 on PostgreSQL (psycopg.DataError) and lost the submission."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").finish({"other_comments": "Cán bộ\x00 nhiệt\x07 tình\x1b."})
    assert citizen.status == 303
    comment = db_session.scalar(select(Answer.value).where(Answer.item_code == "other_comments"))
    assert comment == "Cán bộ nhiệt tình."


def test_control_characters_in_a_choice_never_reach_the_database(citizen, desk, db_session):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next", {"tc1": "\x005"})
    assert citizen.status == 200
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_6_mb_page_post_is_refused_in_the_citizens_language(client, desk):
    """Issue 14: a 6 MB body told a citizen "Tệp tải lên quá lớn", a file they never uploaded."""
    body = {"state": "x", "other_comments": "a" * (6 * 1024 * 1024)}
    vietnamese = client.post("/s", data=body)
    assert vietnamese.status_code == 413
    html = vietnamese.get_data(as_text=True)
    assert "Nội dung gửi lên quá lớn" in html and "Tệp tải lên" not in html
    english = client.post("/s?lang=en", data=body)
    assert english.status_code == 413
    assert "What you sent is too large" in english.get_data(as_text=True)


def test_an_over_long_receipt_address_gets_the_citizen_page(client, desk):
    """Issue 14: an over-long /r/ URL got the server's English 414 page (gunicorn.conf.py now admits 8 KB lines)."""
    response = client.get("/r/" + "A" * 6000 + "?lang=en")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Invalid QR code" in html and '<html lang="en">' in html
    vietnamese = client.get("/q/" + "9" * 6000)
    assert vietnamese.status_code == 404 and "Mã QR không hợp lệ" in vietnamese.get_data(as_text=True)


def test_nul_in_a_citizen_url_is_the_invalid_code_page(client, desk):
    response = client.get("/q/24001%00")
    assert response.status_code == 404 and "Mã QR không hợp lệ" in response.get_data(as_text=True)
    assert client.get("/q/24001?f=ho_tich%00").status_code == 400


def test_deeply_nested_json_to_the_api_is_a_400(app, client, desk, db_session):
    """Issue 14: 100,000 nested arrays made the JSON parser raise RecursionError (500)."""
    app.config["API_KEYS"] = ["k"]
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/receipts", data=body, content_type="application/json",
                           headers={"Authorization": "Bearer k"})
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]
    nested_object = json.dumps({"centre": desk[1].code}).replace("{", "{\"x\":" + "[" * 50_000 + "]" * 50_000 + ",", 1)
    response = client.post("/api/receipts", data=nested_object, content_type="application/json",
                           headers={"Authorization": "Bearer k"})
    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ReceiptToken)) == 0
