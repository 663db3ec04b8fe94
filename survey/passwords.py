"""Password hashing with Argon2id (argon2-cffi).

The cost parameters come from the app's `PASSWORD_HASH_*` settings (argon2-cffi's RFC 9106
low-memory profile by default, `survey.config`); tests set cheap ones. A stored hash carries its own
parameters, so hashes made with other settings still verify.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

DUMMY_PASSWORD = "not-a-real-password-0"  # nosec B105


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """The hasher configured for the current app."""
    config = current_app.config
    return _hasher(
        config["PASSWORD_HASH_TIME_COST"],
        config["PASSWORD_HASH_MEMORY_COST"],
        config["PASSWORD_HASH_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash."""
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash(DUMMY_PASSWORD)


def dummy_hash() -> str:
    """A hash with the configured cost, verified against when a username is unknown or locked,
    so the answer's timing does not reveal which usernames exist."""
    config = current_app.config
    return _dummy_hash(
        config["PASSWORD_HASH_TIME_COST"],
        config["PASSWORD_HASH_MEMORY_COST"],
        config["PASSWORD_HASH_PARALLELISM"],
    )


def generate_password() -> str:
    """A random password to print once for a new account."""
    return secrets.token_urlsafe(12)
