"""Issue 23's hostile files and inputs replayed from outside, against the app under gunicorn.

The app runs as deployed (gunicorn.conf.py, CSRF on, a migrated SQLite database); the
attackers are a signed-in admin's browser (spreadsheet bombs, out-of-range numbers) and a
caller of the receipts API. Each attack must get its 4xx answer, named in Vietnamese where an
official reads it, and leave the worker serving. Times and memory: bench/upload_bombs.py.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from bench import upload_bombs
from tests.factories import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
API_KEY = "abuse-test-key"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app under gunicorn on a migrated SQLite database, with an admin and an API key."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SURVEY_"))}
    env.update(SURVEY_DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('abuse')}/app.db",
               SURVEY_SECRET_KEY="test-only", SURVEY_BIND=f"127.0.0.1:{port}", SURVEY_WORKERS="1",
               SURVEY_ACCESS_LOG="", SURVEY_STARTUP_CHECK="0", SURVEY_API_KEYS=API_KEY)
    for command in (["db", "upgrade"], ["users", "create", "admin", "--role", "admin"]):
        done = subprocess.run([FLASK, "--app", "wsgi", *command], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)
    password = re.search(r"Mật khẩu: (\S+)", done.stdout).group(1)
    process = subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except (OSError, urllib.error.HTTPError):
            assert process.poll() is None
            time.sleep(0.2)
    yield base, password
    process.terminate()
    process.wait(timeout=30)


class _Browser:
    """A cookie-keeping client that answers 4xx/5xx like any other page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode("utf-8")

    def csrf(self, path: str) -> str:
        _, page = self.request(path)
        found = CSRF.search(page)
        return found.group(1) or found.group(2)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": self.csrf(path), **fields}).encode()
        return self.request(path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, data: bytes, name: str) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{self.csrf(path)}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return self.request(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


@pytest.fixture(scope="module")
def admin(server):
    base, password = server
    browser = _Browser(base)
    status, _ = browser.post_form("/auth/login", {"username": "admin", "password": password})
    assert status == 200  # redirected to the password change page: the password was one-time
    new_password = "Mat-khau-rieng-2026"  # nosec B105 (a test password)
    status, page = browser.post_form("/auth/password", {"current_password": password, "new_password": new_password,
                                                     "confirm": new_password})
    assert status == 200 and "Đã đổi mật khẩu." in page  # redirected to the admin home
    return browser


@pytest.mark.parametrize(("bomb", "message"), [
    ("empty_cells", "tệp có hơn 300.000 ô (kể cả ô trống)"),
    ("styles", "Phần định dạng (styles) của tệp XLSX lớn hơn giới hạn 5 MB"),
    ("shared_strings", "hơn 100.000 chuỗi văn bản dùng chung"),
    ("long_cell", "ô dài hơn giới hạn 1.000 ký tự"),
    ("wide_csv", "tệp có hơn 300.000 ô (kể cả ô trống)"),
])
def test_each_spreadsheet_bomb_gets_a_400_naming_its_bound(admin, bomb, message):
    status, page = admin.upload("/admin/counts", upload_bombs.BOMBS[bomb](), f"{bomb}.xlsx")
    assert status == 400
    assert message in page
    assert "A" * 41 not in page  # the long cell is repeated as an excerpt only
    assert admin.request("/healthz")[0] == 200


def test_out_of_range_numbers_in_a_query_and_a_form_are_400(admin):
    assert admin.request("/admin/review?centre=2147483648")[0] == 400
    assert admin.request("/admin/review?centre=9223372036854775808")[0] == 400
    status, page = admin.post_form("/admin/fields/new", {"code": "thue", "name": "Thuế", "sort_order": "2147483648"})
    assert status == 400 and "Số phải nằm trong khoảng" in page


@pytest.mark.parametrize("body", ['{"centre": "\\ud800"}', '{"centre": "22015\\u0000"}', "[" * 100_000])
def test_unstorable_json_to_the_api_is_a_400(server, body):
    base, _ = server
    status, answer = _Browser(base).request("/api/receipts", body.encode(), {
        "Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"})
    assert status == 400
    assert json.loads(answer)["status"] == 400
