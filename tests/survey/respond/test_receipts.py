"""Receipt QR tokens: signed, single-use, issued by CLI and API."""

from sqlalchemy import func, select

from survey.models import ReceiptToken, Response
from survey.respond.receipts import issue_batch, nonce_from_token


def _issue(db_session, centre, field=None, count=1):
    tokens = issue_batch(db_session, centre, count, field=field)
    db_session.commit()
    return tokens


def test_receipt_token_opens_once_and_prefills_the_field(citizen, desk, db_session):
    _, centre, field = desk
    token = _issue(db_session, centre, field)[0]
    citizen.open(f"/r/{token}")
    assert citizen.status == 200
    citizen.finish()
    assert citizen.status == 303
    response = db_session.scalars(select(Response)).one()
    assert (response.channel, response.field.code) == ("receipt", "ho_tich")
    stored = db_session.scalars(select(ReceiptToken)).one()
    assert stored.response_id == response.id and stored.used_at is not None

    again = citizen.open(f"/r/{token}")
    assert again.status == 200
    assert "Phiếu này đã được trả lời" in again.html


def test_two_phones_on_one_receipt_store_one_response(client, desk, db_session):
    from tests.survey.respond.conftest import Citizen

    _, centre, _ = desk
    token = _issue(db_session, centre)[0]
    first, second = Citizen(client).open(f"/r/{token}"), Citizen(client).open(f"/r/{token}")
    first.finish()
    second.finish()
    assert "Phiếu này đã được trả lời" in second.html
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1


def test_forged_or_altered_tokens_are_rejected(citizen, desk, db_session):
    _, centre, _ = desk
    token = _issue(db_session, centre)[0]
    assert nonce_from_token(token) is not None
    assert nonce_from_token(token[:-2] + "xx") is None
    assert citizen.open(f"/r/{token[:-2]}xx").status == 404
    assert "Mã QR không hợp lệ" in citizen.html


def test_cli_issues_tokens_as_urls(runner, desk, db_session):
    _, centre, _ = desk
    result = runner.invoke(args=["receipts", "issue", "--centre", centre.code, "--count", "3",
                                 "--field", "ho_tich"])
    assert result.exit_code == 0, result.output
    urls = result.stdout.split()  # one URL per line on stdout, for the printing software
    assert len(urls) == 3 and all("/r/" in url for url in urls)
    assert "Cảnh báo:" in result.stderr  # the test app's base URL is 127.0.0.1
    assert db_session.scalar(select(func.count()).select_from(ReceiptToken)) == 3


def test_cli_rejects_bad_arguments_by_name(runner, desk):
    _, centre, _ = desk
    unknown = runner.invoke(args=["receipts", "issue", "--centre", "zzz", "--count", "1"])
    assert unknown.exit_code == 2 and "không có trung tâm nào mã 'zzz'" in unknown.output
    too_many = runner.invoke(args=["receipts", "issue", "--centre", centre.code, "--count", "0"])
    assert too_many.exit_code == 2 and "--count" in too_many.output


def test_api_requires_a_key_and_issues_tokens(app, client, desk):
    app.config["API_KEYS"] = ["secret-key"]
    _, centre, _ = desk
    assert client.post("/api/receipts", json={"centre": centre.code}).status_code == 401
    wrong = client.post("/api/receipts", json={"centre": centre.code},
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = client.post("/api/receipts", json={"centre": centre.code, "count": 2, "field": "ho_tich"},
                     headers={"Authorization": "Bearer secret-key"})
    assert ok.status_code == 201
    body = ok.get_json()
    assert len(body["tokens"]) == 2 and body["tokens"][0]["url"].endswith(body["tokens"][0]["token"])


def test_api_names_the_bad_field(app, client, desk):
    app.config["API_KEYS"] = ["k"]
    _, centre, _ = desk
    headers = {"Authorization": "Bearer k"}
    bad_count = client.post("/api/receipts", json={"centre": centre.code, "count": "many"}, headers=headers)
    assert bad_count.status_code == 400 and bad_count.get_json()["field"] == "count"
    bad_field = client.post("/api/receipts", json={"centre": centre.code, "field": "x"}, headers=headers)
    assert bad_field.get_json()["field"] == "field"
    not_json = client.post("/api/receipts", data="centre=1", headers=headers)
    assert not_json.status_code == 400
