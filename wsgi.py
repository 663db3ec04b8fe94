"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""

import sys

from survey import create_app
from survey.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    sys.stderr.write(f"survey: cannot start. {exc}\n")
    raise SystemExit(1) from None
