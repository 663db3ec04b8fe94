"""An administrator uploads a questionnaire's recordings: accepted by content, refused with the
file and the reason named, all or none of a batch; analysts only look."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from survey.media.audio import NOT_AUDIO, TOO_LARGE
from survey.media.model import Recording
from survey.models import AuditLog
from tests.survey.media.recordings import publish_spoken, wav_bytes

URL = "/admin/questionnaires/sipas-2026/recordings"


@pytest.fixture
def spoken(db_session):
    version, definition = publish_spoken(db_session)
    db_session.commit()
    return definition


def upload(client, *files: tuple[str, bytes]):
    return client.post(URL, data={"files": [(io.BytesIO(data), name) for name, data in files], "submit": "1"},
                       content_type="multipart/form-data")


def stored(db_session) -> dict[str, str]:
    return dict(db_session.execute(select(Recording.name, Recording.sha256)).all())


def test_recordings_are_stored_with_their_checksum_and_the_page_lists_what_is_missing(client, auth, db_session, spoken):
    auth("admin")
    first, second = wav_bytes(tone=500), wav_bytes(tone=600)
    response = upload(client, ("tc1.wav", first), ("satisfaction-4.wav", second))
    assert response.status_code == 302
    assert stored(db_session) == {"tc1.wav": hashlib.sha256(first).hexdigest(),
                                  "satisfaction-4.wav": hashlib.sha256(second).hexdigest()}
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "recording_upload")).one()
    assert entry.detail["files"]["tc1.wav"] == hashlib.sha256(first).hexdigest()

    page = client.get(URL).get_data(as_text=True)
    assert "Đã lưu 2 tệp ghi âm" in page
    assert "tc1.wav" in page and 'preload="none"' in page
    missing = page.split("chưa được tải lên")[1].split("</div>")[0]
    assert "satisfaction-5.wav" in missing and "tc1.wav" not in missing


def test_a_file_of_the_same_name_replaces_the_old_one(client, auth, db_session, spoken):
    auth("admin")
    upload(client, ("tc1.wav", wav_bytes(tone=500)))
    newer = wav_bytes(tone=700)
    assert upload(client, ("tc1.wav", newer)).status_code == 302
    assert stored(db_session) == {"tc1.wav": hashlib.sha256(newer).hexdigest()}


def test_a_bad_file_is_named_and_nothing_of_the_batch_is_stored(client, auth, db_session, spoken, app):
    auth("admin")
    app.config["AUDIO_MAX_BYTES"] = 10_000
    response = upload(client, ("good.wav", wav_bytes(seconds=0.1)), ("tc1.ogg", b"<html>not audio</html>"),
                      ("long.wav", wav_bytes(seconds=1.0)))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert NOT_AUDIO.format(name="tc1.ogg") in page
    assert TOO_LARGE.format(name="long.wav", limit="0,0") in page
    assert stored(db_session) == {}


def test_a_batch_over_the_request_bound_is_refused_by_name(client, auth, db_session, spoken, app):
    auth("admin")
    app.config["AUDIO_MAX_BYTES"] = 1000  # 30 files of 1,000 bytes and the envelope: ~95 KB a request
    response = upload(client, ("big.wav", bytes(200_000)))
    assert response.status_code == 400
    assert "Tổng dung lượng các tệp vượt" in response.get_data(as_text=True)
    assert stored(db_session) == {}


def test_no_file_chosen_is_asked_for_in_vietnamese(client, auth, db_session, spoken):
    auth("admin")
    response = client.post(URL, data={"submit": "1"}, content_type="multipart/form-data")
    assert "Vui lòng chọn ít nhất một tệp ghi âm." in response.get_data(as_text=True)
    assert stored(db_session) == {}


def test_an_analyst_sees_the_page_but_cannot_upload(client, auth, db_session, spoken):
    auth("analyst")
    assert client.get(URL).status_code == 200
    assert upload(client, ("tc1.wav", wav_bytes())).status_code == 403
    assert db_session.scalar(select(func.count()).select_from(Recording)) == 0


def test_the_page_needs_a_signed_in_account_and_an_existing_questionnaire(client, auth, spoken):
    assert client.get(URL).status_code in (302, 401)
    auth("admin")
    assert client.get("/admin/questionnaires/no-such/recordings").status_code == 404


def test_the_questionnaires_page_links_to_each_questionnaire_s_recordings(client, auth, spoken):
    auth("analyst")
    assert f'href="{URL}"' in client.get("/admin/questionnaires").get_data(as_text=True)


def test_a_whole_path_sent_as_the_file_name_is_stored_under_the_bare_name(client, auth, db_session, spoken):
    auth("admin")
    assert upload(client, ("/home/canbo/ghi-am/tc1.wav", wav_bytes())).status_code == 302
    assert list(stored(db_session)) == ["tc1.wav"]


def test_the_same_file_chosen_twice_is_named_once(client, auth, db_session, spoken):
    auth("admin")
    response = upload(client, ("tc1.wav", wav_bytes()), ("tc1.wav", wav_bytes(tone=800)))
    assert response.status_code == 400
    assert "tc1.wav: tệp này được chọn hai lần." in response.get_data(as_text=True)
    assert stored(db_session) == {}


def test_more_files_than_one_upload_takes_are_refused_by_count(client, auth, db_session, spoken):
    from survey.media.admin import MAX_FILES

    auth("admin")
    small = wav_bytes(seconds=0.01)
    response = upload(client, *[(f"f{number}.wav", small) for number in range(MAX_FILES + 1)])
    assert response.status_code == 400
    assert f"Chọn {MAX_FILES + 1} tệp; mỗi lần tải lên tối đa {MAX_FILES} tệp." in response.get_data(as_text=True)
    assert stored(db_session) == {}
