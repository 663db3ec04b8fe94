"""Text as stored and as compared: invisible characters removed, look-alike letters folded.

Unicode's format characters (category Cf) draw nothing: zero-width spaces and joiners, the
byte-order mark, soft hyphens, and the bidirectional controls (LRO/RLO U+202D/U+202E, the
isolates U+2066–U+2069, LRM/RLM). In stored text they only serve an attacker: an RLO makes
"gpj.exe" read "exe.jpg", a zero-width space splits a phone number so the scrubber misses it,
or makes a second roster entry look identical to the first. No Vietnamese text needs them, so
`remove_invisible` drops every one.

Names are compared by `comparison_key` (Unicode TR39's idea of a "skeleton", kept to what a
Vietnamese roster meets): NFKC (fullwidth and mathematical letters become plain ones), Cyrillic
and Greek letters drawn like Latin ones, and the Icelandic eth (Ð, drawn like Đ), become the
letter they imitate, then case is folded and spaces collapsed.
"""

from __future__ import annotations

import unicodedata

# Cyrillic and Greek capitals and small letters whose glyph is a Latin letter's (TR39
# confusables.txt, restricted to letters of the Vietnamese alphabet), and Ð/ð drawn as Đ/đ.
LOOK_ALIKES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ӏ": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "һ": "h", "ԁ": "d", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i",
    "Ð": "Đ", "ð": "đ", "ı": "i",
})


def is_invisible(character: str) -> bool:
    return unicodedata.category(character) == "Cf"


def remove_invisible(text: str) -> str:
    """`text` without format characters (zero-width, bidirectional controls, BOM, soft hyphen)."""
    if text.isascii():
        return text
    return "".join(character for character in text if not is_invisible(character))


def comparison_key(text: str) -> str:
    """What two names must share to look the same: see the module docstring."""
    folded = unicodedata.normalize("NFKC", remove_invisible(text))
    # Decompose so a look-alike base letter under a Vietnamese accent is folded too, then
    # recompose; NFKC again after, as the folded letters may now compose differently.
    folded = unicodedata.normalize("NFD", folded).translate(LOOK_ALIKES)
    folded = unicodedata.normalize("NFKC", folded).casefold()
    return " ".join(folded.split())
