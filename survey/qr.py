"""QR codes for print: desk posters, receipt slips and invitation letters.

Error correction M (15% of the code may be smudged or folded) and a two-module quiet zone,
as SVG data URIs, which the CSP's `img-src data:` allows and which print sharp at any size.
"""

from __future__ import annotations

POSTER_SCALE = 8
"""A5 desk posters and receipt slips: scanned from an arm's length."""
LETTER_SCALE = 6
"""A4 letters, beside the printed link: scanned from the hand."""


def qr_data_uri(url: str, scale: int = POSTER_SCALE) -> str:
    """The QR code of `url` as an SVG data URI, `scale` pixels per module."""
    import segno  # with the first poster, receipt or letter, not with the app

    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2)
