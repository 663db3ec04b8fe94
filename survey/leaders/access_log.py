"""Access logs without link tokens: gunicorn's logger class and a filter for Werkzeug's log.

A leader's token is in one address only, the landing page's `GET /l/<token>`; everything after
is posted to `/l/`. These keep that one address out of the logs: every `/l/<anything>` in a
logged line (request line, path, query, Referer or any other header) becomes `/l/[redacted]`.
The README's nginx configuration does the same for the proxy's log.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

LINK = re.compile(r"(/l/)(?!cam-on(?:[\s?#\"'/]|$))[^\s?#\"'/]+", re.IGNORECASE)
ENCODED_LINK = re.compile(r"(%2Fl%2F)[^\s?#\"'&%]+", re.IGNORECASE)
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    """``text`` with every link token replaced, in plain or percent-encoded addresses."""
    return ENCODED_LINK.sub(REDACTED, LINK.sub(REDACTED, text))


class RedactingLogger(Logger):
    """gunicorn's logger, with tokens redacted from every access-log atom."""

    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


class RedactingFilter(logging.Filter):
    """Redacts tokens from Werkzeug's request lines (`make run`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/l/" in message or "%2f" in message.lower():
            record.msg, record.args = redact(message), ()
        return True


def redact_werkzeug_log() -> None:
    """Add the filter to Werkzeug's logger, once per process."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
