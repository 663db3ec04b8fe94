"""Scrub personal data from free-text answers before they are stored.

Citizens sometimes type a phone number, an ID number (CMND 9 digits, CCCD 12 digits) or an
email into a comment box. The survey promises anonymity, so these are replaced by a marker
and the response notes that a scrub happened. The rule errs on the side of privacy: any run
of nine or more digits (spaces, dots and dashes allowed between digits, an optional
leading + or (+84)) is removed, except an amount of money followed by a currency word.
"""

from __future__ import annotations

import re

PHONE_MARK = "[đã ẩn số điện thoại]"
ID_MARK = "[đã ẩn số giấy tờ]"
EMAIL_MARK = "[đã ẩn email]"

MIN_DIGITS = 9

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
NUMBER = re.compile(
    r"(?<![\w+])"  # not the tail of a word or of a longer number
    r"(?:\(\s?\+?\d{1,3}\s?\)[ .\-]?)?"  # optional (+84)
    r"\+?\d(?:[ .\-]?\d)*"  # digits, single separators between them
    r"(?!\w)"
)
CURRENCY_AFTER = re.compile(r"\s?(?:đồng|đ|vnđ|vnd|₫|triệu|tỷ)(?!\w)", re.IGNORECASE)


def _number_mark(digits: str) -> str:
    """Phone or ID marker, by the shape of Vietnamese numbers."""
    if digits.startswith("84") and len(digits) in (11, 12):
        return PHONE_MARK
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE_MARK
    return ID_MARK


def scrub_free_text(text: str) -> tuple[str, bool]:
    """Return `text` with phones, ID numbers and emails replaced, and whether anything was."""
    if not text:
        return text, False
    scrubbed = False

    def replace_email(match: re.Match[str]) -> str:
        nonlocal scrubbed
        scrubbed = True
        return EMAIL_MARK

    def replace_number(match: re.Match[str]) -> str:
        nonlocal scrubbed
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) < MIN_DIGITS or CURRENCY_AFTER.match(text, match.end()):
            return match.group(0)
        scrubbed = True
        return _number_mark(digits)

    without_emails = EMAIL.sub(replace_email, text)
    text = without_emails  # the currency look-ahead reads the text being substituted
    return NUMBER.sub(replace_number, without_emails), scrubbed
