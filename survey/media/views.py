"""Serve a recording at a URL carrying its checksum, cached by browsers for a year."""

from __future__ import annotations

import io
import re

from flask import Response, abort, request, send_file
from sqlalchemy import select

from survey.extensions import db
from survey.media import bp
from survey.media.model import Recording

YEAR = 365 * 24 * 3600
CHECKSUM = re.compile(r"[0-9a-f]{64}")


def _cached(response: Response, checksum: str) -> Response:
    # The URL names the content: it can never change, so the browser need not ask again.
    response.set_etag(checksum)
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True
    return response


@bp.get("/media/<checksum>")
def recording(checksum: str):
    """Send the recording whose SHA-256 is `checksum`; 304 when the browser already has it."""
    if not CHECKSUM.fullmatch(checksum):
        abort(404)
    found = db.session.execute(select(Recording.id, Recording.content_type)
                               .where(Recording.sha256 == checksum).limit(1)).first()
    if found is None:
        abort(404)
    if request.if_none_match.contains(checksum):
        return _cached(Response(status=304), checksum)  # the bytes are not even read
    data = db.session.scalar(select(Recording.data).where(Recording.id == found.id))
    response = send_file(io.BytesIO(data), mimetype=found.content_type, conditional=True, etag=checksum)
    return _cached(response, checksum)
