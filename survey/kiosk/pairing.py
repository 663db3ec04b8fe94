"""Pairing a desk tablet with a centre: a one-time code from staff, exchanged for a device key.

A staff member (the province admin, or the centre's officer) asks for a code on the admin
side; it is shown once and is valid for PAIRING_MINUTES. The tablet types it on `/k/<centre>`
and receives a random device key in an HttpOnly cookie; the database keeps only the key's
SHA-256. The code's hash is keyed with SECRET_KEY, so a copy of the database alone does not
let anyone try the 40-bit codes offline in the minutes one is valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.clock import utcnow
from survey.models import KioskDevice, ServiceCentre

PAIRING_MINUTES = 15
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a tablet keyboard
CODE_LENGTH = 8
DEVICE_COOKIE = "sv_kiosk"
DEVICE_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie; renewed on each visit
SEEN_EVERY = dt.timedelta(minutes=10)  # how often a device's "last seen" is written


def _code_hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"kiosk-pairing-v1:" + code.encode(), hashlib.sha256).hexdigest()


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def normalise_code(typed: str) -> str:
    """The code as issued, from what was typed: any case, with or without spaces and dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())[: CODE_LENGTH * 2]


def shown_code(code: str) -> str:
    """The code in two groups of four, easier to read out and type."""
    return f"{code[:4]}-{code[4:]}"


def issue_code(session: Session, centre: ServiceCentre, username: str) -> str:
    """A new one-time pairing code for `centre`; the caller commits."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(KioskDevice(centre=centre, code_hash=_code_hash(code), created_by=username,
                            code_expires_at=utcnow() + dt.timedelta(minutes=PAIRING_MINUTES)))
    return code


def redeem_code(session: Session, centre: ServiceCentre, typed: str) -> str | None:
    """The new device key when `typed` is a valid, unexpired code of `centre`; else None.

    The code is spent in the same transaction: a second tablet typing it gets nothing.
    """
    code = normalise_code(typed)
    if len(code) != CODE_LENGTH:
        return None
    device = session.scalar(select(KioskDevice).where(
        KioskDevice.code_hash == _code_hash(code), KioskDevice.centre_id == centre.id,
        KioskDevice.key_hash.is_(None), KioskDevice.revoked_at.is_(None)))
    if device is None or device.code_expires_at < utcnow():
        return None
    key = secrets.token_urlsafe(32)
    device.key_hash, device.code_hash, device.code_expires_at = _key_hash(key), None, None
    device.paired_at = device.last_seen_at = utcnow()
    return key


def paired_device(session: Session, centre: ServiceCentre, key: str | None) -> KioskDevice | None:
    """The device holding `key`, when it is paired with `centre` and not revoked."""
    if not key or len(key) > 100:
        return None
    device = session.scalar(select(KioskDevice).where(KioskDevice.key_hash == _key_hash(key)))
    if device is None or device.centre_id != centre.id or device.revoked_at is not None:
        return None
    return device


def note_seen(device: KioskDevice) -> bool:
    """Stamp the device as seen now, at most every SEEN_EVERY; whether anything changed."""
    now = utcnow()
    if device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return False
    device.last_seen_at = now
    return True


def revoke(device: KioskDevice) -> None:
    """Stop the device's key working (and any code not yet used); the row stays for the record."""
    device.revoked_at = utcnow()
    device.code_hash = None if device.key_hash else device.code_hash
