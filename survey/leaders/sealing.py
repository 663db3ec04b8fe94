"""The leaders' two keys: a draft's, from the link token and the browser, and the mix's, from SECRET_KEY.

A draft is encrypted with a key only the leader's request can give: HKDF-SHA256 of the link
token joined to a random secret kept in a cookie of the leader's browser (survey.leaders.views),
a derivation unrelated to the SHA-256 of the token the database keeps. So the database, its WAL
and its backups hold ciphertext the server itself cannot read between two requests of the
leader, and neither can whoever holds only the link (the admin who printed the letters).

A submitted sheet waits in the mix encrypted with a key derived from the application's
SECRET_KEY, which lives in the server's environment, never in the database; the mix's marker
for an invitation is an HMAC under a sibling key, so the database alone cannot tell whose
sheet is waiting.

AES-GCM with a random 96-bit nonce, not Fernet: a Fernet token carries its creation time in
clear, and a time on a stored row is the clock this design removes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

NONCE_BYTES = 12
DRAFT_SALT = b"survey.leaders.draft"
DRAFT_INFO = b"leader draft v1"
MIX_INFO = b"leader mix v1"
MARKER_INFO = b"leader mix marker v1"


def _derive(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _seal(key: bytes, data: dict[str, Any], context: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return nonce + AESGCM(key).encrypt(nonce, plain, context)


def _open(key: bytes, box: bytes, context: bytes) -> dict[str, Any] | None:
    try:
        plain = AESGCM(key).decrypt(box[:NONCE_BYTES], box[NONCE_BYTES:], context)
    except (InvalidTag, ValueError):
        return None
    return json.loads(plain)


def _draft_context(invitation_id: int) -> bytes:
    # binds a box to its invitation: a box copied onto another row does not open
    return f"draft:{invitation_id}".encode("ascii")


def seal_draft(secret: str, invitation_id: int, page: int, answers: dict[str, Any]) -> bytes:
    """The draft's page and answers, encrypted under the key of ``secret`` (token and browser)."""
    key = _derive(secret.encode("ascii"), DRAFT_INFO, DRAFT_SALT)
    return _seal(key, {"page": page, "answers": answers}, _draft_context(invitation_id))


def open_draft(secret: str, invitation_id: int, box: bytes) -> tuple[int, dict[str, Any]] | None:
    """(page, answers) of a draft, or None when ``secret`` is not the one that sealed it."""
    key = _derive(secret.encode("ascii", "replace"), DRAFT_INFO, DRAFT_SALT)
    data = _open(key, box, _draft_context(invitation_id))
    if data is None:
        return None
    return int(data["page"]), dict(data["answers"])


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode("utf-8")


def mix_marker(wave_id: int, invitation_id: int) -> str:
    """The mix's mark of one invitation: unique, and unreadable without SECRET_KEY."""
    key = _derive(_secret(), MARKER_INFO)
    return hmac.new(key, f"{wave_id}:{invitation_id}".encode("ascii"), hashlib.sha256).hexdigest()


def seal_sheet(wave_id: int, sheet: dict[str, Any]) -> bytes:
    """A submitted sheet (invitation, group, answers) encrypted under the mix key."""
    return _seal(_derive(_secret(), MIX_INFO), sheet, f"mix:{wave_id}".encode("ascii"))


def open_sheet(wave_id: int, box: bytes) -> dict[str, Any] | None:
    """A sealed sheet, or None when it was sealed under another SECRET_KEY."""
    return _open(_derive(_secret(), MIX_INFO), box, f"mix:{wave_id}".encode("ascii"))
