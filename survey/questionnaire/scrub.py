"""Scrub personal data from free-text answers before they are stored.

Citizens sometimes type a phone number, an ID number (CMND 9 digits, CCCD 12 digits) or an
email into a comment box. The survey promises anonymity, so these are replaced by a marker
and the response notes that a scrub happened. The rule errs on the side of privacy: any run
of nine or more digits is removed, even when glued to letters ("SĐT0912345678") and whatever
the grouping (runs of spaces, a dot, a comma or a dash between digits, an optional leading +
or (+84)). The one exception is an amount of money: a number followed by a currency word
(đ, đồng, VNĐ, triệu, ...) that cannot be a phone or ID number, i.e. it does not start with
0, + or (, and if it has an ID number's length it is grouped in thousands ("150.000.000 đồng").

What people do to slip a number or an address past a filter is caught too (issue 23):
invisible characters are removed first (a zero-width space between digits, a right-to-left
override; `survey.text`), so they neither split a number nor reach the database; a digit
written as a look-alike letter between digits ("09l2345678", "O9..." at the head) counts as
the digit; an en or em dash, a minus sign, or a slash between groups of three or more digits
("0912/345/678"; dates such as 12/05/2026 keep their slashes) separate groups like a hyphen;
and an address spelled out ("an [at] gmail [dot] com", "(at)", "a còng", "chấm") is an email.
"""

from __future__ import annotations

import re

from survey.text import remove_invisible

PHONE_MARK = "[đã ẩn số điện thoại]"
ID_MARK = "[đã ẩn số giấy tờ]"
EMAIL_MARK = "[đã ẩn email]"

MIN_DIGITS = 9
ID_LENGTHS = (9, 12)

# the look-behind starts a match only at the head of a word, keeping long words linear
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# "an [at] gmail [dot] com", "an(at)gmail.com", "an a còng gmail chấm com"
SPELLED_AT = r"(?:\s*[\[({]\s*(?:at|a còng)\s*[\])}]\s*|\s+a còng\s+)"
SPELLED_DOT = r"(?:\s*[\[({]\s*(?:dot|chấm)\s*[\])}]\s*|\s+chấm\s+|\.)"
SPELLED_EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]+{SPELLED_AT}[\w-]+(?:{SPELLED_DOT}[\w-]+)+", re.IGNORECASE)
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, en and em dash, minus sign
SEPARATOR = (  # "0912  345", "0912,345", "0912 - 345", "0912–345", "0912/345"; not ", " (lists)
    rf"(?:[^\S\n]+|[.,]|[^\S\n]*[{DASHES}][^\S\n]*|(?<=\d{{3}})[^\S\n]*/[^\S\n]*(?=\d{{3}}))"
)
# A letter drawn like a digit, between digits or heading a run of them: 09l2345678, O912345678.
LOOK_ALIKE_DIGIT = re.compile(r"(?<=\d)[lI|oO](?=\d)|(?<![\w])[oO](?=\d{8})")
DIGIT_OF = str.maketrans("lI|oO", "11100")
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
    """Return `text` with phones, ID numbers and emails replaced, and whether anything was.

    Invisible characters are removed whether or not anything else is.
    """
    text = remove_invisible(text)
    if not text:
        return text, False
    scrubbed = False

    def replace_email(match: re.Match[str]) -> str:
        nonlocal scrubbed
        scrubbed = True
        return EMAIL_MARK

    without_emails = SPELLED_EMAIL.sub(replace_email, EMAIL.sub(replace_email, text))
    # Numbers are found in a copy whose look-alike letters are digits, the same length, so
    # what is kept comes from the text as written.
    shadow = LOOK_ALIKE_DIGIT.sub(lambda match: match.group().translate(DIGIT_OF), without_emails)
    pieces, kept_until = [], 0
    for match in NUMBER.finditer(shadow):
        number = match.group(0)
        digits = re.sub(r"\D", "", number)
        if len(digits) < MIN_DIGITS or _is_money(number, digits, shadow, match.end()):
            continue
        scrubbed = True
        pieces += [without_emails[kept_until:match.start()], _number_mark(digits)]
        kept_until = match.end()
    pieces.append(without_emails[kept_until:])
    return "".join(pieces), scrubbed
