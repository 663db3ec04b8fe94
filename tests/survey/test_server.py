"""The gunicorn worker class: what gunicorn refuses before the app is answered in Vietnamese."""

import socket

import pytest

from survey.server import refusal
from tests.factories import gunicorn_server


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    """The app under gunicorn with the project's gunicorn.conf.py, as deployed."""
    # no schema needed: nothing these tests send reaches the database
    with gunicorn_server(DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('gunicorn')}/app.db") as (_, base):
        yield int(base.rsplit(":", 1)[1])


@pytest.mark.slow
def test_an_address_longer_than_gunicorn_admits_gets_the_invalid_code_page_in_vietnamese(gunicorn_port):
    """Issue 14: a /r/ address over 8,190 bytes got gunicorn's bare English 414 page."""
    answer = _exchange(gunicorn_port, b"GET /r/" + b"A" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 ")
    assert b"charset=utf-8" in head
    page = body.decode("utf-8")
    assert "Mã QR không hợp lệ" in page and '<html lang="vi">' in page
    assert "URI Too Long" not in page


@pytest.mark.slow
def test_an_oversized_header_gets_a_vietnamese_431_and_the_app_still_serves(gunicorn_port):
    answer = _exchange(gunicorn_port, b"GET /q/x HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 9000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ") and "Mã QR không hợp lệ".encode() in answer
    healthy = _exchange(gunicorn_port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert healthy.startswith(b"HTTP/1.1 ")  # the worker lives on and answers the next request


def test_other_errors_are_left_to_gunicorn():
    assert refusal(ValueError("a bug")) is None
