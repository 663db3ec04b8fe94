"""Starting the app or asking a command for its help loads none of the heavy libraries.

Each gunicorn worker (re)start and every `flask` command paid for matplotlib, openpyxl,
pandas, SciPy and pyarrow before doing anything (issue 27); they now load in the code paths
that use them (a report build, an export, a spreadsheet). These tests check which modules a
fresh interpreter holds afterwards, not how long it took.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts Python in a subprocess: a second or two each.
pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "openpyxl", "pandas", "scipy", "pyarrow", "numpy", "analysis", "mutagen")

# Prints the heavy top-level packages the interpreter holds after `body` ran.
LOADED = f"""
import json, sys
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))))
"""

IMPORT_APP = "import wsgi\n" + LOADED

# Every `flask --app wsgi <group> --help` and `<group> <command> --help`, through Flask's own
# command line, in one interpreter: what any of them loads stays in sys.modules.
EVERY_HELP = """
import sys
import click
from flask.cli import main
from wsgi import app

def run(args):
    sys.argv = ["flask", "--app", "wsgi", *args, "--help"]
    try:
        main()
    except SystemExit as exc:
        assert exc.code in (0, None), (args, exc.code)

groups = []
for name, command in app.cli.commands.items():
    run([name])
    groups.append(name)
    if isinstance(command, click.Group):
        for sub in command.commands:
            run([name, sub])
print(" ".join(groups), file=sys.stderr)
""" + LOADED


def _python(code: str, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SURVEY_"))}
    env.update(SURVEY_DATABASE_URL=database_url, SURVEY_SECRET_KEY="k", SURVEY_STARTUP_CHECK="1")
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_importing_the_app_loads_no_heavy_library(database_url):
    """`import wsgi` (what gunicorn does) with the start-up check against a migrated database."""
    result = _python(IMPORT_APP, database_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_every_command_help_loads_no_heavy_library(database_url):
    result = _python(EVERY_HELP, database_url)
    assert result.returncode == 0, result.stderr
    groups = result.stderr.split()
    assert {"report", "export", "counts", "demo", "questionnaire", "leaders"} <= set(groups)
    assert json.loads(result.stdout.splitlines()[-1]) == []
