"""The recordings page of a questionnaire: upload recordings, see which the file still lacks."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from survey.audit import record
from survey.auth.scope import roles_required
from survey.extensions import db
from survey.media import admin_bp
from survey.media.audio import RecordingError, check_recording, shown_name
from survey.media.forms import RecordingUploadForm
from survey.media.store import recordings_of, store_recordings
from survey.models import Questionnaire, UserRole
from survey.questionnaire.versions import parsed_version
from survey.security import staff_only
from survey.uploads.limits import megabytes

MAX_FILES = 30
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the other fields around the files
TOO_MUCH = ("Tổng dung lượng các tệp vượt {limit} MB. Hãy tải lên mỗi lần tối đa {files} tệp, "
            "mỗi tệp không quá {each} MB.")
TOO_MANY = "Chọn {count} tệp; mỗi lần tải lên tối đa {files} tệp."
TWICE = "{name}: tệp này được chọn hai lần."
STORED = "Đã lưu {count} tệp ghi âm: {names}."

staff_only(admin_bp)


def _name(filename: str) -> str:
    # The bare name as the official's computer shows it (some browsers send a whole path).
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def _check_uploads(uploads, limit: int) -> tuple[list, list[str]]:
    """The checked recordings and, for every file that is not usable, the reason."""
    checked, problems, seen = [], [], set()
    if len(uploads) > MAX_FILES:
        return [], [TOO_MANY.format(count=len(uploads), files=MAX_FILES)]
    for upload in uploads:
        name = _name(upload.filename)
        if name in seen:
            problems.append(TWICE.format(name=shown_name(name)))
            continue
        seen.add(name)
        try:
            checked.append(check_recording(name, upload.stream.read(limit + 1), limit))
        except RecordingError as exc:
            problems.append(exc.message)
    return checked, problems


def _missing(questionnaire: Questionnaire, uploaded: set[str]) -> dict[str, list[str]]:
    """The file names the newest version names but nobody has uploaded, by language."""
    if not questionnaire.versions:
        return {}
    newest = questionnaire.versions[-1]
    definition = parsed_version(db.session, newest.id, newest.checksum)
    return {language: sorted(set(names.values()) - uploaded)
            for language, names in definition.recordings.items() if set(names.values()) - uploaded}


@admin_bp.route("/<code>/recordings", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, read_roles=(UserRole.ANALYST,))
def recordings(code: str):
    """List a questionnaire's recordings and store uploaded ones, all or none of a batch."""
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.code == code))
    if questionnaire is None:
        abort(404)
    limit = current_app.config["AUDIO_MAX_BYTES"]
    request.max_content_length = limit * MAX_FILES + FORM_OVERHEAD
    problems: list[str] = []
    try:
        form = RecordingUploadForm()
    except RequestEntityTooLarge:  # say which bound, not only "too large"
        form = RecordingUploadForm(formdata=None)
        problems = [TOO_MUCH.format(limit=megabytes(request.max_content_length), files=MAX_FILES,
                                    each=megabytes(limit))]
    if not problems and form.validate_on_submit():
        checked, problems = _check_uploads([f for f in form.files.data if f.filename], limit)
        if not problems:
            stored = store_recordings(db.session, questionnaire, checked)
            record("recording_upload", questionnaire.code,
                   files={r.name: r.sha256 for r in stored})
            db.session.commit()
            flash(STORED.format(count=len(stored), names=", ".join(r.name for r in stored)), "success")
            return redirect(url_for("media_admin.recordings", code=code))
    stored = recordings_of(db.session, questionnaire)
    return render_template(
        "media/recordings.html", questionnaire=questionnaire, form=form, recordings=stored,
        missing=_missing(questionnaire, {r.name for r in stored}), problems=problems,
        max_size=megabytes(limit), max_files=MAX_FILES,
    ), 400 if problems else 200
