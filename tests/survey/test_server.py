"""The gunicorn worker class: what gunicorn refuses before the app is answered in Vietnamese."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from survey.server import refusal

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SURVEY_"))}
    env.update(SURVEY_DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('gunicorn')}/app.db",
               SURVEY_SECRET_KEY="test-only", SURVEY_BIND=f"127.0.0.1:{port}", SURVEY_WORKERS="1",
               SURVEY_ACCESS_LOG="", SURVEY_STARTUP_CHECK="0")  # no schema needed: nothing reaches the database
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=30)
    server.stderr.close()


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
