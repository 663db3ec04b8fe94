"""The citizen form's hidden fields hold no readable answer, and no citizen page is cached."""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import pytest

from survey.respond.state import load_state

MARKER = "CHI-HOA-QUAY-3 đòi thêm 200 nghìn"
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


def _decodings(value: str) -> list[str]:
    """Every reading of `value` an onlooker without the key could try: raw, each dot-separated
    part as base64 (itsdangerous and JWT style), and zlib-inflated where that works."""
    readings = [value]
    for part in [value, *value.split(".")]:
        padded = part + "=" * (-len(part) % 4)
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                raw = decode(padded)
            except (binascii.Error, ValueError):
                continue
            readings.append(raw.decode("utf-8", "replace"))
            try:
                readings.append(zlib.decompress(raw).decode("utf-8", "replace"))
            except zlib.error:
                pass
    return readings


def _hidden_values(html: str) -> list[str]:
    return [VALUE.search(tag).group(1) for tag in HIDDEN.findall(html) if VALUE.search(tag)]


def test_decoding_the_hidden_fields_reveals_no_answer_text(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    while 'name="other_comments"' not in citizen.html:
        citizen.post("next")
    citizen.post("back", {"other_comments": MARKER})  # posted, then one page back

    state = load_state(citizen.state)  # with the key, the answers are all there ...
    assert state.answers["other_comments"] == MARKER and len(state.answers) > 10
    values = _hidden_values(citizen.html)
    assert citizen.state in values
    for value in values:  # ... without it, none of them
        for reading in _decodings(value):
            assert MARKER not in reading and "other_comments" not in reading and "answers" not in reading


def test_a_tampered_state_is_refused(citizen, desk):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}")
    token = citizen.state
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    assert load_state(forged) is None
    assert citizen.post("next", state=forged).status == 400


@pytest.mark.parametrize("path", ["/", "/s", "/cam-on", "/q/{centre}", "/q/no-such-centre"])
def test_citizen_pages_are_not_cached(client, desk, path):
    _, centre, _ = desk
    response = client.get(path.format(centre=centre.code))
    assert response.headers["Cache-Control"] == "no-store"


def test_the_answer_pages_and_the_thanks_are_not_cached(citizen, desk, client):
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next")
    page = client.post("/s", data={"state": citizen.state, "action": "back"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_a_page_reposted_after_sending_shows_no_answers(citizen, desk):
    """Back on a shared tablet re-posts an earlier page of the previous citizen: once that
    response is stored, the post ends on the thank-you page, not on their answers."""
    _, centre, _ = desk
    citizen.open(f"/q/{centre.code}").post("next")
    earlier = citizen.html  # page 2 as the previous citizen saw it
    citizen.finish()
    assert citizen.status == 303
    citizen.html = earlier
    citizen.post("next")
    assert citizen.status == 303 and citizen.location.endswith("/cam-on?lang=vi")
