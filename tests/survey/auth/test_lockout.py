"""The per-address login ceiling cannot lock colleagues out (issue 23, finding 6).

Attacker: anyone who can reach the login page, guessing names and passwords from one address.
Behind a reverse proxy with `SURVEY_PROXY_COUNT` left at 0, that address is every staff
member's; the guesser must not be able to refuse a colleague's correct password by failing
30 times, and must not learn which names exist from the throttled answers.
"""

from __future__ import annotations

from sqlalchemy import select

from survey.auth.lockout import ADDRESS_MAX_FAILURES
from survey.models import User
from tests.factories import login, make_user

SHARED_ADDRESS = "10.0.0.1"  # the proxy's address, as a misconfigured app sees every client
THROTTLED_WORDS = "Có quá nhiều lần đăng nhập sai từ địa chỉ này"


def _client(app, address: str = SHARED_ADDRESS):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _throttle(app) -> None:
    guesser = _client(app)
    statuses = {login(guesser, f"doan-{n}", "sai-mat-khau-1").status_code for n in range(ADDRESS_MAX_FAILURES)}
    assert statuses == {401}


def test_a_correct_password_still_signs_in_from_an_address_over_its_ceiling(app, db_session):
    make_user(db_session, "can-bo")
    db_session.commit()
    _throttle(app)
    colleague = _client(app)
    signed_in = login(colleague, "can-bo")
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/admin/")
    assert colleague.get("/admin/").status_code == 200


def test_a_throttled_address_gets_one_guess_per_account_and_the_same_answer_for_every_refusal(app, db_session):
    make_user(db_session, "can-bo")
    make_user(db_session, "dang-khoa")
    db_session.commit()
    _throttle(app)
    guesser = _client(app)
    login(guesser, "dang-khoa", "sai-mat-khau-2")  # lock one account first
    wrong = login(guesser, "can-bo", "sai-mat-khau-2")
    unknown = login(guesser, "khong-ton-tai", "sai-mat-khau-2")
    locked = login(guesser, "dang-khoa", "sai-mat-khau-2")
    assert wrong.status_code == unknown.status_code == locked.status_code == 429
    pages = [r.get_data(as_text=True) for r in (wrong, unknown, locked)]
    assert all(THROTTLED_WORDS in page for page in pages)
    assert len({page.replace("khong-ton-tai", "X").replace("can-bo", "X").replace("dang-khoa", "X")
                for page in pages}) == 1  # nothing but the typed name differs

    db_session.expire_all()
    account = db_session.scalar(select(User).where(User.username == "can-bo"))
    assert account.locked_until is not None  # one wrong password from a throttled address locks it
    assert login(_client(app, "192.0.2.7"), "can-bo").status_code == 401  # locked everywhere, as any lock


def test_another_address_keeps_the_usual_allowance(app, db_session):
    make_user(db_session, "can-bo")
    db_session.commit()
    _throttle(app)
    elsewhere = _client(app, "192.0.2.7")
    assert login(elsewhere, "can-bo", "sai-mat-khau-3").status_code == 401
    db_session.expire_all()
    account = db_session.scalar(select(User).where(User.username == "can-bo"))
    assert account.locked_until is None and account.failed_logins == 1
    assert login(elsewhere, "can-bo").status_code == 302
