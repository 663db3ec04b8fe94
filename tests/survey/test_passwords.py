"""Argon2id with the configured cost: production's by default, the minimum in tests."""

from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY

from survey.config import load_config
from survey.passwords import dummy_hash, hash_password, verify_password


def test_production_uses_the_rfc_9106_low_memory_profile(tmp_path):
    config = load_config(str(tmp_path), {"SURVEY_SECRET_KEY": "k"})
    cost = (config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"],
            config["PASSWORD_HASH_PARALLELISM"])
    assert cost == (RFC_9106_LOW_MEMORY.time_cost, RFC_9106_LOW_MEMORY.memory_cost,
                    RFC_9106_LOW_MEMORY.parallelism)


def test_new_hashes_take_the_configured_cost(app):
    stored = hash_password("mật khẩu")
    cost = (app.config["PASSWORD_HASH_MEMORY_COST"], app.config["PASSWORD_HASH_TIME_COST"],
            app.config["PASSWORD_HASH_PARALLELISM"])
    assert "$m={},t={},p={}$".format(*cost) in stored
    assert "$m={},t={},p={}$".format(*cost) in dummy_hash()
    assert verify_password(stored, "mật khẩu") and not verify_password(stored, "mat khau")


def test_a_hash_made_with_another_cost_still_verifies(app):
    stored = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY).hash("mật khẩu")
    assert verify_password(stored, "mật khẩu")
    assert not verify_password("not a hash", "mật khẩu")
