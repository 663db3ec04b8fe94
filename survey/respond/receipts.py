"""Single-use receipt tokens: a QR printed on the dossier receipt (giấy hẹn trả kết quả).

The printed token is a random nonce signed with the app's key (itsdangerous), so it is
unguessable and tamper-evident; only the nonce is stored. A token is used up when the
response it opened is stored, in the same transaction.

Nonces are written in Crockford's base32 (no I, L, O, U), so that the first SHORT_CODE_LENGTH
characters, printed as "ABCD-EFGH" on a paper slip, can be typed by hand at `/m` when a phone's
camera cannot read the QR. Nonces issued before this (URL-safe base64) have no short code.
"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey.clock import utcnow
from survey.models import ReceiptBatch, ReceiptToken, ServiceCentre, ServiceField

# A signing namespace for itsdangerous, not a secret (bandit B105 false alarm).
TOKEN_SALT = "receipt-token-v1"  # nosec B105
MAX_BATCH = 5000
TYPEABLE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
NONCE_LENGTH = 20  # 100 bits
SHORT_CODE_LENGTH = 8  # 40 bits: typed by hand, tried at a rate-limited page
MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


class ReceiptError(ValueError):
    """A batch request is invalid; the message says which argument and why."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def sign_nonce(nonce: str) -> str:
    """The printable token for a stored nonce."""
    return _serializer().dumps(nonce)


def nonce_from_token(token: str) -> str | None:
    """The nonce inside a printed token, or None when the signature does not verify."""
    try:
        nonce = _serializer().loads(token)
    except BadSignature:
        return None
    return nonce if isinstance(nonce, str) else None


def issue_batch(
    session: Session,
    centre: ServiceCentre,
    count: int,
    field: ServiceField | None = None,
    issued_by: str = "cli",
) -> list[str]:
    """Create `count` single-use tokens for `centre` and return them signed; caller commits."""
    if not 1 <= count <= MAX_BATCH:
        raise ReceiptError(f"count must be between 1 and {MAX_BATCH}, got {count}")
    if not centre.active:
        raise ReceiptError(f"centre {centre.code} is deactivated")
    batch = ReceiptBatch(centre=centre, field=field, size=count, issued_by=issued_by)
    nonces = [new_nonce() for _ in range(count)]
    session.add(batch)
    session.add_all(ReceiptToken(batch=batch, nonce=nonce) for nonce in nonces)
    session.flush()
    return [sign_nonce(nonce) for nonce in nonces]


def new_nonce() -> str:
    """A random nonce in the typeable alphabet."""
    return "".join(secrets.choice(TYPEABLE) for _ in range(NONCE_LENGTH))


def short_code(token: str) -> str | None:
    """The hand-typed code of a printed token ("ABCD-EFGH"), None for an old-style nonce."""
    nonce = nonce_from_token(token) or ""
    if len(nonce) != NONCE_LENGTH or set(nonce) - set(TYPEABLE):
        return None
    return f"{nonce[:4]}-{nonce[4:SHORT_CODE_LENGTH]}"


def normalise_code(typed: str) -> str | None:
    """A typed short code in canonical form: upper case, no separators, misread letters fixed."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(MISREAD)
    if len(code) != SHORT_CODE_LENGTH or set(code) - set(TYPEABLE):
        return None
    return code


def find_by_short_code(session: Session, typed: str) -> str | None:
    """The printed token whose short code was typed, if exactly one unused token has it."""
    code = normalise_code(typed)
    if code is None:
        return None
    found = session.scalars(
        select(ReceiptToken.nonce)
        .where(ReceiptToken.nonce.startswith(code, autoescape=True), ReceiptToken.used_at.is_(None))
        .limit(2)
    ).all()
    return sign_nonce(found[0]) if len(found) == 1 else None


def receipt_url(base_url: str, token: str) -> str:
    """The URL a receipt QR encodes."""
    return f"{base_url.rstrip('/')}/r/{token}"


def find_token(session: Session, token: str) -> ReceiptToken | None:
    """The stored token for a printed one, or None if forged or unknown."""
    nonce = nonce_from_token(token)
    if nonce is None:
        return None
    return session.scalar(select(ReceiptToken).where(ReceiptToken.nonce == nonce))


def use_token(session: Session, receipt: ReceiptToken, response_id) -> bool:
    """Mark the token used by `response_id`; False if another response used it first."""
    result = session.execute(
        update(ReceiptToken)
        .where(ReceiptToken.id == receipt.id, ReceiptToken.used_at.is_(None))
        .values(used_at=utcnow(), response_id=response_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
