"""The app refuses to start on a wrong URL, an unreachable database or pending migrations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts the app in a subprocess: seconds each, scheduled first (tests/conftest.py).
pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _start(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(SURVEY_DATABASE_URL=database_url, SURVEY_SECRET_KEY="k", SURVEY_STARTUP_CHECK="1")
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("definitely not a url", "SURVEY_DATABASE_URL không phải địa chỉ cơ sở dữ liệu hợp lệ"),
        ("postgresql+psycopg://postgres@127.0.0.1:1/test", "Không kết nối được cơ sở dữ liệu tại"),
        ("sqlite:///{tmp}/fresh.db", "Hãy chạy: flask --app wsgi db upgrade"),
    ],
)
def test_bad_database_stops_start_with_a_fix(url, expected, tmp_path):
    result = _start(url.format(tmp=tmp_path), tmp_path)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_data_commands_on_an_unmigrated_database_say_how_to_fix(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(SURVEY_DATABASE_URL=f"sqlite:///{tmp_path}/fresh.db", SURVEY_SECRET_KEY="k")
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run(
        [str(flask), "--app", "wsgi", "receipts", "issue", "--centre", "tinh", "--count", "1"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "survey: không khởi động được. Cấu trúc cơ sở dữ liệu chưa được cập nhật" in result.stderr
    assert "Hãy chạy: flask --app wsgi db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrating_an_unreachable_database_names_the_setting():
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(SURVEY_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/test",
               SURVEY_SECRET_KEY="k")
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run([str(flask), "--app", "wsgi", "db", "upgrade"], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Không kết nối được cơ sở dữ liệu tại" in result.stderr and "SURVEY_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_flask_maintenance_commands_skip_the_check(monkeypatch):
    from survey.startup import invoked_flask_command

    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    assert invoked_flask_command(["flask", "--app", "wsgi", "db", "upgrade"]) == "db"
    assert invoked_flask_command(["flask", "-A", "wsgi", "--debug", "run"]) == "run"
    monkeypatch.delenv("FLASK_RUN_FROM_CLI")
    assert invoked_flask_command(["gunicorn", "wsgi:app"]) is None


# Flask's own top-level help is printed before the app (and so cli_locale) loads: click's frame
# stays English there; a command's help comes after, in Vietnamese.
@pytest.mark.parametrize(("args", "usage"), [(["--help"], "Usage: flask"),
                                             (["export", "responses", "--help"], "Cách dùng: flask export responses")])
def test_help_works_on_an_unmigrated_database(args, usage, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(SURVEY_DATABASE_URL=f"sqlite:///{tmp_path}/fresh.db", SURVEY_SECRET_KEY="k")
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run([str(flask), "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(usage)
