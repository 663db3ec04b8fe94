"""The gunicorn worker class (`gunicorn.conf.py`): gunicorn's gthread worker, answering the
requests it refuses before the app sees them with a page in Vietnamese.

gunicorn refuses a request line longer than `limit_request_line` (at most 8,190 bytes) with
414 and a header field longer than `limit_request_field_size` with 431, each as a bare English
page. A citizen meets the first with a mangled or over-long QR address; they now get the same
words as the app's "invalid QR code" page. Every other error is gunicorn's own handling.
"""

from __future__ import annotations

import html

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker

from survey.i18n import DEFAULT_LANGUAGE, chrome

REFUSED = {
    LimitRequestLine: ("414 URI Too Long", "invalid_title", "invalid_body"),
    LimitRequestHeaders: ("431 Request Header Fields Too Large", "invalid_title", "invalid_body"),
}


def refusal(exc: BaseException) -> bytes | None:
    """The whole HTTP response for a request gunicorn refused with `exc`, or None to leave it to gunicorn."""
    found = REFUSED.get(type(exc))
    if found is None:
        return None
    status, title_key, body_key = found
    text = chrome(DEFAULT_LANGUAGE)
    title, body = html.escape(text[title_key]), html.escape(text[body_key])
    page = (f'<!doctype html><html lang="{DEFAULT_LANGUAGE}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{body}</p></main></body></html>"
            ).encode("utf-8")
    head = (f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(page)}\r\nCache-Control: no-store\r\n\r\n").encode("latin-1")
    return head + page


class ThreadWorker(GunicornThreadWorker):
    """gunicorn's gthread worker with `refusal`'s pages."""

    def handle_error(self, req, client, addr, exc):
        response = refusal(exc)
        if response is None:
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("", -1))[0], exc)
        try:
            util.write_nonblock(client, response)
        except OSError:
            self.log.debug("Failed to send the refusal page.")
        return None
