"""Hostile input stopped at the edge: control characters, out-of-range integers, unusable JSON text.

PostgreSQL refuses a NUL byte in text (`psycopg.DataError`) and an integer beyond 32 bits in
an INTEGER column; SQLite overflows beyond 64 bits; no driver can encode a lone UTF-16
surrogate ("\\ud800" in JSON). None of them should ever reach a query, and each has one place
here, so no view checks for them:

- URL path values: an `int` beyond an INTEGER id, or text too long or with a control
  character, is a 404 (`url_value_preprocessor`);
- the query string: a control character is a 400; a whole number read with
  `request.args.get(..., type=int)` (or from `request.form` the same way) beyond an INTEGER
  is a 400, through the request class's `BoundedArgs`;
- form fields: `survey.forms.VietnameseForm` strips control and invisible characters from
  every field (`strip_control`) and refuses, in every `IntegerField`, a number beyond an
  INTEGER (`OUT_OF_RANGE`);
- JSON bodies: `CleanJSONProvider` refuses NUL, lone surrogates and numbers beyond 64 bits,
  so `request.get_json()` fails as for any malformed body (400, or None when silent).

`excerpt` is how much of a bad value any answer may repeat.
"""

from __future__ import annotations

import re

from flask import Flask, Request, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict

from survey.text import remove_invisible

# C0 controls other than tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What no column may store: NUL (PostgreSQL) and lone surrogates (every driver's UTF-8 encoder).
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
MAX_ID = 2**31 - 1  # the largest id an INTEGER primary key holds on PostgreSQL
MAX_JSON_INTEGER = 2**63 - 1  # a BIGINT; nothing the API reads is larger
MAX_PATH_VALUE = 200  # no code or token in a URL is longer
EXCERPT_CHARS = 40
OUT_OF_RANGE = f"Số phải nằm trong khoảng từ {-MAX_ID - 1:,} đến {MAX_ID:,}.".replace(",", ".")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of `text`, cut with an ellipsis past `limit` characters: what a message may repeat."""
    return text if len(text) <= limit else text[:limit] + "…"


def is_out_of_range(text: str) -> bool:
    """Whether `text` is a whole number (as `int()` reads it) no INTEGER column can hold."""
    digits = text.strip().lstrip("+-").replace("_", "")
    if not (digits.isascii() and digits.isdigit()):
        return False
    return len(digits) > 10 or int(digits) > MAX_ID


class BoundedArgs(ImmutableMultiDict):
    """Query-string and form values whose `get(..., type=int)` answers 400 beyond an INTEGER."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's own signature)
        if type is int and key in self and is_out_of_range(self[key]):
            abort(400)
        return super().get(key, default, type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs


class CleanJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing on reading what no column could store."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_int", _bounded_int)
        data = super().loads(s, **kwargs)
        _refuse_unstorable(data)
        return data


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(number := int(text)) > MAX_JSON_INTEGER:
        raise ValueError("a JSON number beyond 64 bits")
    return number


def _refuse_unstorable(data) -> None:
    """Raise ValueError when any key or text in `data` holds NUL or a lone surrogate."""
    pending = [data]  # a stack, not recursion: the parser already bounds the nesting
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                raise ValueError("JSON text with NUL or a lone surrogate")
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def strip_control(value):
    """`value` without control characters, nor invisible ones (zero-width, bidirectional:
    `survey.text`), when it is text; anything else unchanged."""
    if isinstance(value, str):
        return remove_invisible(CONTROL_CHARACTERS.sub("", value))
    return value


def init_app(app: Flask) -> None:
    """Refuse URL values no view can use before any view or query sees them."""
    app.request_class = BoundedRequest
    app.json = CleanJSONProvider(app)

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
