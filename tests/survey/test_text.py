"""Invisible characters removed, look-alike letters folded: names as stored and as compared."""

import pytest

from survey.text import comparison_key, remove_invisible

NAME = "Nguyễn Văn An"


@pytest.mark.parametrize("look_alike", [
    "Nguyễn Văn \u0410n",          # Cyrillic capital A
    "Nguy\u0435\u0302\u0303n Văn An",  # Cyrillic e under the Vietnamese accents
    "Nguyễn\u200b Văn An",         # zero-width space
    "Ngu\u200dyễn Văn An",         # zero-width joiner inside a word
    "\u202eNguyễn Văn An",         # right-to-left override
    "Ｎｇｕｙễｎ Văn An",            # fullwidth letters
    "NGUYỄN  văn  an",             # case and spaces
    "Ngu\u0443ễn Văn An",          # Cyrillic u, drawn as y
])
def test_a_name_drawn_the_same_compares_the_same(look_alike):
    assert comparison_key(look_alike) == comparison_key(NAME)


def test_the_icelandic_eth_is_the_vietnamese_d_with_stroke():
    assert comparison_key("Ðặng Thị Bình") == comparison_key("Đặng Thị Bình") != comparison_key("Dặng Thị Bình")


def test_different_names_stay_different():
    assert comparison_key("Nguyễn Văn Ân") != comparison_key(NAME)
    assert comparison_key("Nguyễn Văn Anh") != comparison_key(NAME)


def test_invisible_characters_are_removed_and_visible_ones_kept():
    assert remove_invisible("a\u202eb\u200bc\ufeffd\u00ade\u2066f\u2069") == "abcdef"
    assert remove_invisible("Đắk Lắk – Buôn Ma Thuột 😀") == "Đắk Lắk – Buôn Ma Thuột 😀"
