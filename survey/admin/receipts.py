"""Receipt-token batches: single-use QR tokens printed on dossier receipts (giấy hẹn)."""

from __future__ import annotations

import csv
import io

from flask import Response, current_app, redirect, render_template, url_for
from sqlalchemy import select

from survey.admin import bp, staff
from survey.admin.forms import NO_CHOICE, ReceiptBatchForm
from survey.admin.paging import paginate
from survey.audit import record
from survey.auth.scope import centre_criterion, require_centre_access, roles_required, visible_centres
from survey.extensions import db
from survey.forms import choice_list
from survey.models import ReceiptBatch, ReceiptToken, ServiceCentre, ServiceField, UserRole
from survey.qr import qr_data_uri
from survey.respond.receipts import find_token, issue_batch, receipt_url, short_code, sign_nonce
from survey.spreadsheets import safe_row

SLIPS_PER_SHEET = 10


@bp.route("/receipts", methods=["GET", "POST"])
@roles_required(UserRole.ADMIN, UserRole.OFFICER, read_roles=(UserRole.ANALYST,))
def receipts():
    """List recent batches in scope and issue a new one as a CSV download."""
    user = staff()
    form = ReceiptBatchForm()
    centres = visible_centres(db.session, user, active_only=True)
    form.centre_id.choices = choice_list([(c.id, f"{c.name} ({c.code})") for c in centres])
    fields = db.session.scalars(
        select(ServiceField).where(ServiceField.active.is_(True)).order_by(ServiceField.sort_order)
    ).all()
    form.field_id.choices = choice_list([(NO_CHOICE, "— Mọi lĩnh vực —")] + [(f.id, f.name) for f in fields])
    if form.validate_on_submit():
        centre = require_centre_access(user, db.session.get(ServiceCentre, form.centre_id.data))
        field = db.session.get(ServiceField, form.field_id.data) if form.field_id.data else None
        tokens = issue_batch(db.session, centre, form.count.data, field=field, issued_by=user.username)
        record("receipt_batch_issue", centre.code, count=len(tokens), field=field.code if field else None)
        db.session.commit()
        if form.sheet.data:
            batch_id = find_token(db.session, tokens[0]).batch_id
            return redirect(url_for("admin.receipt_sheet", batch_id=batch_id))
        return _tokens_csv(centre, field, tokens)
    page = paginate(
        db.session,
        select(ReceiptBatch).join(ServiceCentre).where(centre_criterion(user))
        .order_by(ReceiptBatch.issued_at.desc(), ReceiptBatch.id.desc()),
    )
    return render_template("admin/receipts.html", form=form, page=page)


def _tokens_csv(centre: ServiceCentre, field: ServiceField | None, tokens: list[str]) -> Response:
    """The issued tokens and their QR URLs as a CSV file for the receipt printing software."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    base = current_app.config["PUBLIC_BASE_URL"]
    writer.writerow(["centre_code", "field_code", "token", "url"])
    for token in tokens:
        writer.writerow(safe_row([centre.code, field.code if field else "", token, receipt_url(base, token)]))
    return Response(
        buffer.getvalue().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="receipt-tokens-{centre.code}.csv"'},
    )


@bp.get("/receipts/<int:batch_id>/sheet")
@roles_required(UserRole.ADMIN, UserRole.OFFICER)
def receipt_sheet(batch_id: int):
    """Print a batch's unused tokens as A4 sheets of tear-off slips: QR, short code, one line."""
    batch = db.get_or_404(ReceiptBatch, batch_id)
    require_centre_access(staff(), batch.centre)
    nonces = db.session.scalars(
        select(ReceiptToken.nonce).where(ReceiptToken.batch_id == batch.id, ReceiptToken.used_at.is_(None))
        .order_by(ReceiptToken.id)
    ).all()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    slips = []
    for nonce in nonces:
        token = sign_nonce(nonce)
        url = receipt_url(base, token)
        slips.append({"qr": qr_data_uri(url), "code": short_code(token)})
    record("receipt_sheet_print", batch.centre.code, batch=batch.id, count=len(slips))
    db.session.commit()
    return render_template(
        "admin/receipt_sheet.html", batch=batch, slips=slips, per_sheet=SLIPS_PER_SHEET,
        typed_url=f"{base.split('://', 1)[-1]}/m",
    )
