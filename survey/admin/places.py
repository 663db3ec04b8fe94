"""Centres (Bộ phận Một cửa) with their QR posters and responses, and service fields."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.forms import CentreCreateForm, CentreEditForm, ConfirmForm, ServiceFieldForm
from survey.admin.paging import paginate
from survey.audit import record
from survey.auth.scope import (
    centre_criterion,
    require_centre_access,
    roles_required,
    row_level,
    sees_everything,
)
from survey.extensions import db
from survey.forms import choice_list
from survey.models import Locality, Response, ServiceCentre, ServiceField, UserRole
from survey.respond.flow import open_citizen_wave, surveys_beside
from survey.respond.posters import poster_html

ADMIN_ONLY = (UserRole.ADMIN,)
EVERYONE = (UserRole.ADMIN, UserRole.OFFICER, UserRole.ANALYST)
CODE_TAKEN = "Mã này đã được sử dụng."


def _centre(centre_id: int) -> ServiceCentre:
    return require_centre_access(staff(), db.session.get(ServiceCentre, centre_id))


def _locality_choices() -> list[tuple[int, str]]:
    user = staff()
    query = select(Locality).order_by(Locality.name)
    if not sees_everything(user):
        query = query.where(Locality.id == user.locality_id)
    choices = [(loc.id, f"{loc.name} ({loc.code})") for loc in db.session.scalars(query)]
    if user.role == UserRole.ADMIN:
        choices.insert(0, (0, "— Cấp tỉnh (không thuộc xã/phường) —"))
    return choices


@bp.get("/centres")
@roles_required(*EVERYONE)
def centres():
    """List the centres in the user's scope."""
    page = paginate(db.session, select(ServiceCentre).where(centre_criterion(staff()))
                    .order_by(ServiceCentre.code))
    return render_template("admin/centres.html", page=page, confirm=ConfirmForm(),
                           beside=surveys_beside(db.session))


@bp.route("/centres/new", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, UserRole.OFFICER)
def centre_new():
    """Create a centre in a locality the user may manage."""
    form = CentreCreateForm()
    form.locality_id.choices = choice_list(_locality_choices())
    if form.validate_on_submit():
        if db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == form.code.data)):
            form.code.errors.append(CODE_TAKEN)
        else:
            centre = ServiceCentre(
                code=form.code.data, name=form.name.data.strip(), locality_id=form.locality_id.data or None
            )
            db.session.add(centre)
            db.session.flush()
            record("centre_create", centre.code, name=centre.name, locality_id=centre.locality_id)
            db.session.commit()
            flash(f"Đã tạo trung tâm {centre.name}.", "success")
            return redirect(url_for("admin.centres"))
    return render_template("admin/form.html", form=form, title="Thêm trung tâm",
                           back="admin.centres", back_text="Danh sách trung tâm")


@bp.route("/centres/<int:centre_id>", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, UserRole.OFFICER, read_roles=(UserRole.ANALYST,))
def centre_edit(centre_id: int):
    """Rename a centre in the user's scope."""
    centre = _centre(centre_id)
    form = CentreEditForm(obj=centre)
    if form.validate_on_submit():
        old = centre.name
        centre.name = form.name.data.strip()
        record("centre_rename", centre.code, old=old, new=centre.name)
        db.session.commit()
        flash("Đã lưu tên trung tâm.", "success")
        return redirect(url_for("admin.centres"))
    return render_template("admin/form.html", form=form, title=f"Đổi tên trung tâm {centre.code}",
                           back="admin.centres", back_text="Danh sách trung tâm")


@bp.post("/centres/<int:centre_id>/active")
@roles_required(UserRole.ADMIN, UserRole.OFFICER)
def centre_toggle(centre_id: int):
    """Deactivate an active centre, or reactivate an inactive one."""
    centre = _centre(centre_id)
    if ConfirmForm().validate_on_submit():
        centre.active = not centre.active
        record("centre_activate" if centre.active else "centre_deactivate", centre.code)
        db.session.commit()
        flash("Đã cập nhật trạng thái trung tâm.", "success")
    return redirect(url_for("admin.centres"))


@bp.get("/centres/<int:centre_id>/poster")
@roles_required(*EVERYONE)
def centre_poster(centre_id: int):
    """Show the printable QR poster of a centre: the main desk survey's, or with ?survey=CODE
    the poster of a survey run beside it (its QR names the survey)."""
    centre = _centre(centre_id)
    survey = request.args.get("survey") or None
    if survey is not None and open_citizen_wave(db.session, survey) is None:
        abort(404)
    return poster_html(centre, current_app.config["PUBLIC_BASE_URL"], survey=survey)


@bp.get("/centres/<int:centre_id>/responses")
@roles_required(UserRole.ADMIN, UserRole.ANALYST)
@row_level
def centre_responses(centre_id: int):
    """List the latest responses received at a centre."""
    centre = _centre(centre_id)
    page = paginate(
        db.session,
        select(Response).where(Response.centre_id == centre.id).order_by(Response.submitted_at.desc()),
        centre_id=centre.id,
    )
    return render_template("admin/centre_responses.html", centre=centre, page=page)


@bp.get("/fields")
@roles_required(*EVERYONE)
def fields():
    """List the service fields."""
    rows = db.session.scalars(select(ServiceField).order_by(ServiceField.sort_order, ServiceField.code)).all()
    return render_template("admin/fields.html", fields=rows)


@bp.route("/fields/new", methods=["GET", "POST"], defaults={"field_id": None})
@bp.route("/fields/<int:field_id>", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY, read_roles=(UserRole.OFFICER, UserRole.ANALYST))
def field_edit(field_id: int | None):
    """Create a service field or edit one."""
    field = db.get_or_404(ServiceField, field_id) if field_id is not None else None
    form = ServiceFieldForm(obj=field)
    if form.validate_on_submit():
        clash = db.session.scalar(select(ServiceField).where(ServiceField.code == form.code.data))
        if clash is not None and clash is not field:
            form.code.errors.append(CODE_TAKEN)
        else:
            if field is None:
                field = ServiceField(code=form.code.data, name="")
                db.session.add(field)
            changes = {
                "code": form.code.data,
                "name": form.name.data.strip(),
                "sort_order": form.sort_order.data or 0,
                "active": form.active.data,
            }
            for key, value in changes.items():
                setattr(field, key, value)
            record("field_save", field.code, **changes)
            db.session.commit()
            flash(f"Đã lưu lĩnh vực {field.name}.", "success")
            return redirect(url_for("admin.fields"))
    title = f"Sửa lĩnh vực {field.code}" if field else "Thêm lĩnh vực"
    return render_template("admin/form.html", form=form, title=title, back="admin.fields",
                           back_text="Danh sách lĩnh vực"), 400 if form.errors else 200
