"""Single-use invitation tokens: 128 random bits from `secrets`, stored only as a SHA-256 hash.

A token is shown in clear once, when the letters are printed (`flask leaders invitations`);
the database keeps its hash, so a copy of the database opens no questionnaire. Printing again
gives the invitee a fresh token and the old link stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from survey.models import LeaderInvitation

TOKEN_BYTES = 16  # 128 bits, the floor set by the issue; token_urlsafe gives 22 characters
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    """A fresh random token for a link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 in hex (a 128-bit secret needs no slow hash)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def find_invitation(session: Session, token: str) -> LeaderInvitation | None:
    """The invitation a token opens, or None when the token is malformed or unknown."""
    if not TOKEN_SHAPE.match(token):
        return None
    digest = hash_token(token)
    invitation = session.scalar(select(LeaderInvitation).options(joinedload(LeaderInvitation.wave))
                                .where(LeaderInvitation.token_hash == digest))
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        return None
    return invitation


def invitation_url(base_url: str, token: str) -> str:
    """The absolute link printed on a letter and encoded in its QR code."""
    return f"{base_url.rstrip('/')}/l/{token}"
