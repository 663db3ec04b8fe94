"""Hostile input stopped at the edge: control characters, out-of-range ids, over-long paths.

PostgreSQL refuses a NUL byte in text (`psycopg.DataError`) and both databases overflow on an
integer id beyond 64 bits; neither should ever reach a query. Form fields are cleaned by
`survey.forms` (control characters stripped from every text field); this module refuses the
rest of a request's text — the URL path and query string — with a 404 or 400 before any view
runs.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request

# C0 controls other than tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on PostgreSQL
MAX_PATH_VALUE = 200  # no code or token in a URL is longer


def strip_control(value):
    """`value` without control characters when it is text; anything else unchanged."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def init_app(app: Flask) -> None:
    """Refuse URL values no view can use before any view or query sees them."""

    @app.url_value_preprocessor
    def _bounded_url_values(endpoint, values) -> None:
        for value in (values or {}).values():
            if isinstance(value, int) and not 0 <= value <= MAX_ID:
                abort(404)
            if isinstance(value, str) and (len(value) > MAX_PATH_VALUE or CONTROL_CHARACTERS.search(value)):
                abort(404)

    @app.before_request
    def _clean_query_string() -> None:
        for value in request.args.values():
            if CONTROL_CHARACTERS.search(value):
                abort(400)
