"""Staff pages of the kiosk: pair a centre's tablets with a one-time code, and revoke them."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from survey.admin import staff
from survey.admin.forms import ConfirmForm
from survey.audit import record
from survey.auth.scope import require_centre_access, roles_required
from survey.extensions import db
from survey.kiosk import staff_bp
from survey.kiosk.pairing import PAIRING_MINUTES, issue_code, revoke, shown_code
from survey.models import KioskDevice, ServiceCentre, UserRole

PAIRING_ROLES = (UserRole.ADMIN, UserRole.OFFICER)


def _centre(centre_id: int) -> ServiceCentre:
    return require_centre_access(staff(), db.session.get(ServiceCentre, centre_id))


def _page(centre: ServiceCentre, code: str | None = None):
    devices = db.session.scalars(select(KioskDevice).where(KioskDevice.centre_id == centre.id)
                                 .order_by(KioskDevice.created_at.desc(), KioskDevice.id.desc())).all()
    return render_template("kiosk/devices.html", centre=centre, devices=devices, code=code,
                           minutes=PAIRING_MINUTES, confirm=ConfirmForm())


@staff_bp.get("/centres/<int:centre_id>")
@roles_required(*PAIRING_ROLES)
def devices(centre_id: int):
    """List the tablets paired with a centre and the codes not yet used."""
    return _page(_centre(centre_id))


@staff_bp.post("/centres/<int:centre_id>/code")
@roles_required(*PAIRING_ROLES)
def new_code(centre_id: int):
    """Issue a one-time pairing code for a centre and show it once."""
    centre = _centre(centre_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("kiosk_admin.devices", centre_id=centre.id))
    code = issue_code(db.session, centre, staff().username)
    record("kiosk_code_issue", centre.code)
    db.session.commit()
    return _page(centre, shown_code(code))


@staff_bp.post("/devices/<int:device_id>/revoke")
@roles_required(*PAIRING_ROLES)
def revoke_device(device_id: int):
    """Stop a tablet (or an unused code) from sending questionnaires for its centre."""
    device = db.get_or_404(KioskDevice, device_id)
    centre = _centre(device.centre_id)
    if ConfirmForm().validate_on_submit() and device.revoked_at is None:
        revoke(device)
        record("kiosk_revoke", centre.code, device=device.id)
        db.session.commit()
        flash("Đã thu hồi máy tính bảng; máy đó không gửi được phiếu nữa.", "success")
    return redirect(url_for("kiosk_admin.devices", centre_id=centre.id))
