"""Questionnaire versions: list them, check an uploaded YAML file, publish it as a new version."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from survey.admin import bp
from survey.admin.forms import QuestionnaireUploadForm
from survey.audit import record
from survey.auth.scope import roles_required
from survey.extensions import db
from survey.models import Questionnaire, QuestionnaireVersion, UserRole
from survey.publishing import publish
from survey.questionnaire import QuestionnaireError, format_problems, load_questionnaire

NOT_TEXT = "Tệp không phải văn bản UTF-8; hãy tải lên tệp YAML của phiếu khảo sát."
FILE_OK = "Tệp hợp lệ: {code}, {items} câu hỏi."
PUBLISHED = "Đã xuất bản phiên bản {label}."
ALREADY = "Nội dung này trùng với phiên bản {label} đã có; không tạo phiên bản mới."


def check_upload(data: bytes, filename: str):
    """Load an uploaded questionnaire file; return (definition or None, problem lines)."""

    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None, [NOT_TEXT]
    # The loader reads paths; the file name shown in its problems is the uploaded one.
    safe_name = Path(filename or "upload.yaml").name or "upload.yaml"
    if Path(safe_name).suffix not in (".yaml", ".yml"):
        safe_name += ".yaml"
    with tempfile.TemporaryDirectory(prefix="survey-upload-") as folder:
        path = os.path.join(folder, safe_name)
        with open(path, "wb") as handle:
            handle.write(data)
        try:
            definition = load_questionnaire(path)
        except QuestionnaireError as exc:
            text = format_problems(exc.problems).replace(folder + os.sep, "")
            return None, text.splitlines()
    return definition, []


@bp.route("/questionnaires", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, read_roles=(UserRole.ANALYST,))
def questionnaires():
    """List published versions; check an uploaded file and optionally publish it."""
    form = QuestionnaireUploadForm()
    problems: list[str] = []
    summary = None
    if form.validate_on_submit():
        upload = form.file.data
        definition, problems = check_upload(upload.read(), upload.filename)
        if definition is not None:
            summary = FILE_OK.format(code=definition.code, items=len(definition.items))
            if form.publish.data:
                version, is_new = publish(db.session, definition)
                if is_new:
                    record("questionnaire_publish", version.label, checksum=version.checksum)
                db.session.commit()
                message = (PUBLISHED if is_new else ALREADY).format(label=version.label)
                flash(message, "success" if is_new else "info")
                return redirect(url_for("admin.questionnaires"))
    versions = db.session.scalars(
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .order_by(Questionnaire.code, QuestionnaireVersion.number.desc())
    ).all()
    return render_template(
        "admin/questionnaires.html", form=form, versions=versions, problems=problems, summary=summary
    )
