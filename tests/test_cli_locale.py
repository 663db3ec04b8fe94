"""click's and argparse's own messages come out in Vietnamese on our command lines, and only there.

The catalog is cli_locale/vi.po compiled to the committed .mo (tools/cli_catalog.py); these tests
fail when the two disagree or when an upgraded click or Python brings a string the catalog lacks.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "tools"))
import cli_catalog  # noqa: E402 (tools/ is not a package)

FLASK = Path(sys.executable).parent / "flask"


def test_committed_mo_is_the_compiled_po():
    assert cli_catalog.MO.read_bytes() == cli_catalog.compiled(cli_catalog.read())


def test_every_string_of_click_and_argparse_is_translated():
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in cli_catalog.read() if m.id}
    wanted = [m.id if isinstance(m.id, str) else m.id[0] for m in cli_catalog.template() if m.id]
    assert [m for m in wanted if not translated.get(m) or not any(translated[m])] == []


def _run(args: list[str], database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SURVEY_"))}
    env.update(SURVEY_DATABASE_URL=database_url, SURVEY_SECRET_KEY="k", LANG="en_US.UTF-8")
    return subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_flask_command_missing_option_is_vietnamese(database_url):
    result = _run([str(FLASK), "--app", "wsgi", "export", "responses"], database_url)
    assert result.returncode == 2
    assert "Cách dùng: flask export responses [OPTIONS]" in result.stderr
    assert "Xem hướng dẫn: 'flask export responses --help'." in result.stderr
    assert "Lỗi: Thiếu tuỳ chọn '--wave'." in result.stderr
    assert "Usage" not in result.stderr and "Error" not in result.stderr


@pytest.mark.slow
def test_flask_command_invalid_choice_names_the_option(database_url):
    result = _run([str(FLASK), "--app", "wsgi", "export", "responses", "--wave", "2026Q3", "--format", "x"],
                  database_url)
    assert result.returncode == 2
    assert "Lỗi: Giá trị của '--format' không hợp lệ: 'x' không thuộc các giá trị 'csv', " in result.stderr


@pytest.mark.slow
def test_flask_command_no_such_option_is_vietnamese(database_url):
    result = _run([str(FLASK), "--app", "wsgi", "report", "quarterly", "--wave", "2026Q3", "--nope"],
                  database_url)
    assert result.returncode == 2
    assert "Lỗi: Không có tuỳ chọn '--nope'." in result.stderr


@pytest.mark.slow
def test_flask_help_is_framed_in_vietnamese(database_url):
    result = _run([str(FLASK), "--app", "wsgi", "report", "--help"], database_url)
    assert result.returncode == 0
    assert result.stdout.startswith("Cách dùng: flask report [OPTIONS] COMMAND [ARGS]...")
    assert "Tuỳ chọn:" in result.stdout and "Lệnh:" in result.stdout
    assert "In hướng dẫn này rồi thoát." in result.stdout


@pytest.mark.slow
def test_analysis_argparse_errors_are_vietnamese(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("y\n1\n")
    missing = _run([sys.executable, "-m", "analysis", "estimate"], "sqlite://")
    assert missing.returncode == 2
    assert "thiếu các đối số bắt buộc: --var, --stat" in missing.stderr
    bad = _run([sys.executable, "-m", "analysis", "estimate", str(data), "--var", "y", "--stat", "median"],
               "sqlite://")
    assert bad.returncode == 2
    assert "đối số --stat: giá trị không hợp lệ: 'median' (chọn một trong: " in bad.stderr
    unknown = _run([sys.executable, "-m", "analysis", "estimate", str(data), "--var", "y", "--stat", "mean",
                    "--format", "csv", "--nope"], "sqlite://")
    assert "đối số không nhận ra: --nope" in unknown.stderr


@pytest.mark.slow
def test_jobs_argparse_errors_are_vietnamese():
    result = _run([sys.executable, "-m", "survey.jobs", "--nope"], "sqlite://")
    assert result.returncode == 2
    assert "cách dùng: python -m survey.jobs" in result.stderr
    assert "python -m survey.jobs: lỗi: đối số không nhận ra: --nope" in result.stderr


@pytest.mark.slow
def test_the_web_app_keeps_its_process_language(database_url):
    """gunicorn imports wsgi outside click: no LANGUAGE set, click's strings left as they are."""
    code = ("import os, gettext, wsgi; "
            "print(os.environ.get('LANGUAGE'), gettext.gettext('Usage:'))")
    result = _run([sys.executable, "-c", code], database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None Usage:"
