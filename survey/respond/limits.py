"""Rate limits of the citizen form, keyed on what a stranger cannot multiply cheaply.

Issue 23's flood: one form state posted 3,000 times with a new device cookie each time, from
four addresses, emptied a centre-wide bucket and turned every citizen of that desk away for
an hour. A limit shared by strangers is a limit any one of them can spend for the others, and
a device cookie is whatever the client says. So:

- **Page posts per questionnaire** (`RATE_LIMIT_QUESTIONNAIRE`): keyed on the submission id
  inside the encrypted, authenticated form state. Only the server mints one (`GET /q/…`,
  `GET /r/…`), and only the citizen's own page holds it, so no stranger can spend it.
- **Questionnaires opened per address** (`RATE_LIMIT_START`), so states are not free either,
  and **page posts per address** (`RATE_LIMIT_ADDRESS`), wide because a mobile carrier puts
  many phones behind one IPv4 address. An IPv6 client counts by its /64: one subscriber gets
  a whole /64 and can pick a new address in it for every request.
- **Nothing centre-wide refuses anyone.** Completed responses (stored, valid, through every
  mandatory page) are counted per centre; beyond `ALERT_CENTRE_RESPONSES` an hour the log
  gets one warning per centre and hour, and each response of a burst carries the `burst`
  quality flag (survey.respond.quality) for review.

What a flood from N addresses can and cannot do, measured, is in docs/security.md ("Abuse").
"""

from __future__ import annotations

import ipaddress
import logging

from flask import current_app, request
from limits import parse

from survey.extensions import limiter
from survey.respond.state import FormState, load_state

POSTED_STATE = "survey.respond.posted_state"  # WSGI environ key: one request, one decryption
IPV6_SUBSCRIBER_PREFIX = 64
ALERT_ONCE = parse("1 per hour")

log = logging.getLogger(__name__)


def posted_state() -> FormState | None:
    """The form state posted with this request, decrypted once (the rate-limit key needs it too).

    Kept in the request's environ, not in `g`: the environ cannot outlive its request.
    """
    if POSTED_STATE not in request.environ:
        request.environ[POSTED_STATE] = load_state(request.form.get("state"))
    return request.environ[POSTED_STATE]


def network_of(address: str | None) -> str:
    """The part of a client address one subscriber holds: an IPv4 address, an IPv6 /64."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_SUBSCRIBER_PREFIX}", strict=False))
    return str(parsed)


def address_key() -> str:
    return "address:" + network_of(request.remote_addr)


def questionnaire_key() -> str:
    state = posted_state()
    return "questionnaire:" + (state.submission_id if state else "none")


def no_questionnaire() -> bool:
    """A post without a valid state is answered 400 before any work; the address limit counts it."""
    return posted_state() is None


def questionnaire_limit() -> str:
    return current_app.config["RATE_LIMIT_QUESTIONNAIRE"]


def address_limit() -> str:
    return current_app.config["RATE_LIMIT_ADDRESS"]


def start_limit() -> str:
    return current_app.config["RATE_LIMIT_START"]


def note_stored_response(centre_code: str) -> None:
    """Count a stored response towards its centre's alert; warn once an hour past it. Never refuses."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    threshold = current_app.config["ALERT_CENTRE_RESPONSES"]
    try:
        counter = limiter.limiter
        if counter.hit(parse(threshold), prefix, "centre_responses", centre_code):
            return
        if counter.hit(ALERT_ONCE, prefix, "centre_responses_alerted", centre_code):
            log.warning(
                "ALERT centre %s: completed responses beyond %s (a burst: staff filling in forms, or a "
                "scripted flood). They are stored, never refused; review those flagged 'burst'.",
                centre_code, threshold,
            )
    except Exception as exc:  # the counter store (Redis) failing must not cost a stored response
        log.warning("centre response counter unavailable: %s", type(exc).__name__)
