"""Recordings are served at a URL carrying their checksum, cached for good, and the citizen's page
offers a play control for each recorded question and option that loads nothing until pressed."""

from __future__ import annotations

import hashlib
import re

import pytest

from survey.media.audio import check_recording
from survey.media.model import Recording
from survey.media.store import store_recordings
from survey.models import Questionnaire
from tests.survey.media.recordings import spoken_desk, wav_bytes

LIMIT = 2 * 1024 * 1024


@pytest.fixture
def spoken_wave(db_session):
    """An open wave of SIPAS recorded in Vietnamese, every named file uploaded, and a desk."""
    return spoken_desk(db_session)


def test_a_recording_is_served_with_its_type_and_long_lived_caching(client, spoken_wave):
    data = spoken_wave[2]["tc1.wav"]
    checksum = hashlib.sha256(data).hexdigest()
    response = client.get(f"/media/{checksum}")
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "audio/wav"
    assert response.headers["ETag"] == f'"{checksum}"'
    assert response.cache_control.immutable and response.cache_control.public
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.headers["Accept-Ranges"] == "bytes"


def test_a_browser_that_has_it_gets_304_without_the_bytes(client, spoken_wave):
    checksum = hashlib.sha256(spoken_wave[2]["tc1.wav"]).hexdigest()
    response = client.get(f"/media/{checksum}", headers={"If-None-Match": f'"{checksum}"'})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == f'"{checksum}"'
    assert response.cache_control.immutable


def test_a_range_is_served_as_partial_content(client, spoken_wave):
    data = spoken_wave[2]["tc1.wav"]
    response = client.get(f"/media/{hashlib.sha256(data).hexdigest()}", headers={"Range": "bytes=0-43"})
    assert response.status_code == 206
    assert response.data == data[:44]
    assert response.headers["Content-Range"] == f"bytes 0-43/{len(data)}"


@pytest.mark.parametrize("path", ["/media/" + "0" * 64, "/media/not-a-checksum", "/media/" + "A" * 64])
def test_an_unknown_recording_is_404(client, spoken_wave, path):
    assert client.get(path).status_code == 404


def test_the_first_page_has_a_control_for_each_question_and_option_and_fetches_none(client, spoken_wave):
    centre, definition, files = spoken_wave
    html = client.get(f"/q/{centre.code}").get_data(as_text=True)
    controls = re.findall(r"<audio ([^>]*)></audio>", html)
    page_items = definition.pages[0].items
    expected = len(page_items) + sum(len(item.choices.choices) for item in page_items if item.choices)
    assert len(controls) == expected
    assert all('controls preload="none"' in control for control in controls)
    assert html.count('aria-label="Nghe câu hỏi"') == len(page_items)
    assert 'aria-label="Nghe phương án Rất hài lòng"' in html
    # the option's words above its control, for a sighted reader; hidden from screen readers,
    # which read the control's own label
    assert re.search(r'<span aria-hidden="true">Rất hài lòng</span><br>'
                     r'<audio [^>]*aria-label="Nghe phương án Rất hài lòng"', html)
    checksum = hashlib.sha256(files["tc1.wav"]).hexdigest()
    assert f'src="/media/{checksum}"' in html


def test_the_page_in_a_language_without_recordings_has_no_control(client, spoken_wave):
    centre = spoken_wave[0]
    html = client.get(f"/q/{centre.code}").get_data(as_text=True)
    state = re.search(r'name="state" type="hidden" value="([^"]*)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', html).group(1)
    english = client.post("/s", data={"state": state, "csrf_token": csrf, "action": "lang:en", "js": "0"})
    assert 'lang="en"' in english.get_data(as_text=True)
    assert "<audio" not in english.get_data(as_text=True)


def test_a_named_recording_not_uploaded_yet_has_no_control(client, spoken_wave, db_session):
    centre = spoken_wave[0]
    db_session.execute(Recording.__table__.delete().where(Recording.name == "tc1.wav"))
    db_session.commit()
    html = client.get(f"/q/{centre.code}").get_data(as_text=True)
    assert html.count('aria-label="Nghe câu hỏi"') == 3


def test_recordings_of_another_questionnaire_are_not_used(client, spoken_wave, db_session):
    """A file name is resolved among the recordings of the page's own questionnaire only."""
    centre = spoken_wave[0]
    db_session.execute(Recording.__table__.delete())
    other = Questionnaire(code="other", title="Khác", kind="citizen")
    db_session.add(other)
    db_session.flush()
    store_recordings(db_session, other, [check_recording("tc1.wav", wav_bytes(), LIMIT)])
    db_session.commit()
    assert "<audio" not in client.get(f"/q/{centre.code}").get_data(as_text=True)
