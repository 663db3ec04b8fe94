"""Scrub personal data from free-text answers before they are stored.

Citizens sometimes type a phone number, an ID number (CMND 9 digits, CCCD 12 digits) or an
email into a comment box. The survey promises anonymity, so these are replaced by a marker
and the response notes that a scrub happened. The rule errs on the side of privacy: any run
of nine or more digits is removed, even when glued to letters ("SĐT0912345678") and whatever
the grouping (runs of spaces, a dot, a comma or a dash between digits, an optional leading +
or (+84)). The one exception is an amount of money: a number followed by a currency word
(đ, đồng, VNĐ, triệu, ...) that cannot be a phone or ID number, i.e. it does not start with
0, + or (, and if it has an ID number's length it is grouped in thousands ("150.000.000 đồng").
"""

from __future__ import annotations

import re

PHONE_MARK = "[đã ẩn số điện thoại]"
ID_MARK = "[đã ẩn số giấy tờ]"
EMAIL_MARK = "[đã ẩn email]"

MIN_DIGITS = 9
ID_LENGTHS = (9, 12)

# the look-behind starts a match only at the head of a word, keeping long words linear
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
SEPARATOR = r"(?:[^\S\n]+|[.,]|[^\S\n]*-[^\S\n]*)"  # "0912  345", "0912,345", "0912 - 345"; not ", " (lists)
NUMBER = re.compile(
    r"(?<![\d+])"  # not the tail of a longer number; letters may come before ("SĐT0912...")
    r"(?:\(\s*\+?\d{1,3}\s*\)[^\S\n]*-?[^\S\n]*)?"  # optional (+84)
    rf"\+?\d(?:{SEPARATOR}?\d)*"
    r"(?!\d)"
)
# A currency word as a whole token: "đ/c" (đồng chí, địa chỉ) and "đồng chí" are not money,
# while "đ/tháng" and "đ/m2" are.
CURRENCY_AFTER = re.compile(
    r"[^\S\n]*(?:đồng(?![^\S\n]+chí(?!\w))|đ(?!/\w(?!\w))|vnđ|vnd|₫|triệu|tỷ)(?!\w)", re.IGNORECASE
)
THOUSANDS = re.compile(r"[1-9]\d{0,2}([.,]|[^\S\n])\d{3}(?:\1\d{3})*")


def _number_mark(digits: str) -> str:
    """Phone or ID marker, by the shape of Vietnamese numbers."""
    if digits.startswith("84") and len(digits) in (11, 12):
        return PHONE_MARK
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE_MARK
    return ID_MARK


def _is_money(number: str, digits: str, text: str, end: int) -> bool:
    """Whether `number`, ending at `end` in `text`, is an amount of money rather than personal data."""
    if number[0] in "0+(" or not CURRENCY_AFTER.match(text, end):
        return False
    if THOUSANDS.fullmatch(number):
        return True
    return len(digits) not in ID_LENGTHS and _number_mark(digits) != PHONE_MARK


def scrub_free_text(text: str) -> tuple[str, bool]:
    """Return `text` with phones, ID numbers and emails replaced, and whether anything was."""
    if not text:
        return text, False
    scrubbed = False

    def replace_email(match: re.Match[str]) -> str:
        nonlocal scrubbed
        scrubbed = True
        return EMAIL_MARK

    without_emails = EMAIL.sub(replace_email, text)

    def replace_number(match: re.Match[str]) -> str:
        nonlocal scrubbed
        number = match.group(0)
        digits = re.sub(r"\D", "", number)
        if len(digits) < MIN_DIGITS or _is_money(number, digits, without_emails, match.end()):
            return number
        scrubbed = True
        return _number_mark(digits)

    return NUMBER.sub(replace_number, without_emails), scrubbed
