"""The in-progress answers, carried in an encrypted hidden field from page to page.

Nothing lives in a server session: a citizen can wait an hour in a queue, lose the session
cookie, or go back and forth, and the answers stay in the page itself. The field is a Fernet
token (AES-128-CBC with an HMAC-SHA256, from `cryptography`): the HMAC stops tampering with
the centre, channel, start time or submission id, and the encryption keeps the answers so far
(free text before scrubbing, gender, age band, ethnicity) unreadable to anyone who sees the
page source, a cached copy of the page or a proxy log of the post, without the app's key.
The Fernet key is derived from SECRET_KEY with HKDF, so rotating SECRET_KEY rotates it too.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from survey.clock import utcnow

# HKDF's "info": a key for this purpose only, unrelated to the session or receipt keys.
STATE_KEY_INFO = b"survey respond-state v2 fernet"


@dataclass(frozen=True)
class FormState:
    """Where a respondent is and what they have answered so far."""

    submission_id: str
    wave_id: int
    centre_code: str
    channel: str
    started_at: str
    language: str = "vi"
    page: int = 0
    receipt: str | None = None
    field_code: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    carried: tuple[str, ...] = ()
    """Questions an answer revealed on the previous page, shown at the top of this one (no JS)."""
    assigned: tuple[str, ...] = ()
    """The assigned blocks drawn for this respondent at the start (survey.respond.assignment)."""
    device: str = ""
    """A keyed hash of the device cookie the questionnaire was started on (`device_mark`):
    only that device may resume it."""
    floor: int = 0
    """The first page Back may show: a resumed questionnaire never shows the answers given
    before it was resumed, which on a shared desk tablet may be another person's."""
    shown_at: str = ""
    """When the page carrying this state was rendered: a post long after it starts afresh."""

    @classmethod
    def start(cls, wave_id: int, centre_code: str, channel: str, **extra: Any) -> FormState:
        now = utcnow().isoformat(timespec="seconds")
        return cls(str(uuid.uuid4()), wave_id, centre_code, channel, now, **extra)

    def with_answers(self, updates: dict[str, Any]) -> FormState:
        merged = {**self.answers, **updates}
        return replace(self, answers={k: v for k, v in merged.items() if v is not None})

    def moved(self, page: int, carried: tuple[str, ...] = ()) -> FormState:
        return replace(self, page=page, carried=tuple(carried))

    def speaking(self, language: str) -> FormState:
        return replace(self, language=language)

    def shown(self) -> FormState:
        """This state stamped with the time its page is rendered."""
        return replace(self, shown_at=utcnow().isoformat(timespec="seconds"))

    def paused_longer_than(self, window: dt.timedelta) -> bool:
        """Whether the page carrying this state was rendered more than `window` ago."""
        if not self.shown_at:
            return False
        return utcnow() - dt.datetime.fromisoformat(self.shown_at) > window

    @property
    def started(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.started_at)

    @property
    def response_id(self) -> uuid.UUID:
        return uuid.UUID(self.submission_id)


@functools.lru_cache(maxsize=4)
def _fernet_for(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=STATE_KEY_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> Fernet:
    return _fernet_for(current_app.config["SECRET_KEY"])


def dump_state(state: FormState) -> str:
    """The state as an encrypted, authenticated token for the form's hidden field."""
    # vars(), not asdict(): asdict deep-copies the answers only for json to read them once.
    payload = json.dumps(vars(state), ensure_ascii=False, separators=(",", ":"))
    return _fernet().encrypt(payload.encode("utf-8")).decode("ascii")


def load_state(raw: str | None) -> FormState | None:
    """The state from a posted form, or None when it is missing, forged or malformed."""
    if not raw:
        return None
    try:
        data = json.loads(_fernet().decrypt(raw.encode("ascii")))
        state = FormState(**data)
        state = replace(state, carried=tuple(state.carried), assigned=tuple(state.assigned))
        uuid.UUID(state.submission_id)
        dt.datetime.fromisoformat(state.started_at)
        if state.shown_at:
            dt.datetime.fromisoformat(state.shown_at)
    except (InvalidToken, UnicodeError, TypeError, ValueError):
        return None
    return state


RESUME_SALT = "respond-resume-v1"
DEVICE_MARK_INFO = b"survey respond-device v1"


def device_mark(cookie: str | None) -> str:
    """A short keyed hash of a device cookie, carried in the state and the resume pointer
    instead of the cookie itself; empty when the browser sent none."""
    if not cookie:
        return ""
    key = _device_mark_key(current_app.config["SECRET_KEY"])
    return hmac.new(key, cookie.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@functools.lru_cache(maxsize=4)
def _device_mark_key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DEVICE_MARK_INFO).derive(
        secret_key.encode("utf-8"))


def _resume_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=RESUME_SALT)


def dump_resume(state: FormState) -> str:
    """A small signed pointer to a questionnaire in progress: the state without its answers.

    It goes in a cookie so that re-scanning the desk QR on the same phone can offer to continue;
    the answers come back from the server draft (`survey.respond.drafts`), free text excepted.
    """
    pointer = asdict(replace(state, answers={}, carried=(), shown_at=""))
    return _resume_serializer().dumps(pointer)


def load_resume(raw: str | None) -> FormState | None:
    """The state a resume cookie points to (without answers), or None when missing or forged."""
    if not raw:
        return None
    try:
        state = FormState(**_resume_serializer().loads(raw))
        uuid.UUID(state.submission_id)
        dt.datetime.fromisoformat(state.started_at)
    except (BadSignature, TypeError, ValueError):
        return None
    return replace(state, carried=(), assigned=tuple(state.assigned))
