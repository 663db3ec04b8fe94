"""Printable A5 QR posters for the one-stop desks, with a segno QR code.

The QR is an SVG data URI (allowed by the CSP's `img-src data:`); the layout lives in
`static/poster.css`, linked rather than inlined so the page passes the strict CSP.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import render_template

from survey.extensions import db
from survey.models import ServiceCentre
from survey.qr import qr_data_uri
from survey.questionnaire.versions import questionnaire_of
from survey.respond.flow import open_citizen_wave
from survey.respond.length import path_lengths

POSTER_CSS = Path(__file__).resolve().parents[1] / "static" / "poster.css"


def desk_url(base_url: str, centre: ServiceCentre, survey: str | None = None) -> str:
    """The short URL a desk QR encodes: the main desk survey's, or the named survey's."""
    return f"{base_url.rstrip('/')}/q/{centre.code}" + (f"/{survey}" if survey else "")


def poster_minutes(survey: str | None = None) -> tuple[int | None, int | None]:
    """The lengths the poster states, in minutes: the open citizen questionnaire's usual path,
    and the path of a respondent drawn for its assigned blocks (None when it has none)."""
    wave = open_citizen_wave(db.session, survey)
    if wave is None:
        return None, None
    lengths = path_lengths(questionnaire_of(wave))
    return lengths.unassigned.minutes, lengths.assigned.minutes if lengths.assigned else None


def poster_html(
    centre: ServiceCentre, base_url: str, stylesheet: str = "/static/poster.css", survey: str | None = None
) -> str:
    """A print-ready A5 poster (HTML) inviting citizens at `centre` to take the survey (the
    main desk survey, or the questionnaire coded `survey`)."""
    url = desk_url(base_url, centre, survey)
    minutes, minutes_assigned = poster_minutes(survey)
    wave = open_citizen_wave(db.session, survey) if survey else None
    return render_template(
        "respond/poster.html",
        centre=centre,
        minutes=minutes,
        minutes_assigned=minutes_assigned if minutes_assigned != minutes else None,
        url=url,
        short_url=url.split("://", 1)[-1],
        qr=qr_data_uri(url),
        stylesheet=stylesheet,
        survey_title=questionnaire_of(wave).title.get("vi") if wave is not None else None,
    )


def write_posters(centres: list[ServiceCentre], base_url: str, out: Path) -> list[Path]:
    """Write one poster file per centre into `out`, with the stylesheet beside them."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(POSTER_CSS, out / "poster.css")
    written = []
    for centre in centres:
        path = out / f"poster-{centre.code}.html"
        path.write_text(poster_html(centre, base_url, stylesheet="poster.css"), encoding="utf-8")
        written.append(path)
    return written
