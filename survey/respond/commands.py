"""CLI for the citizen side: `flask receipts issue` and `flask posters`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.audit import record
from survey.extensions import db
from survey.models import ServiceCentre, ServiceField
from survey.public_url import public_base_url
from survey.respond.posters import write_posters
from survey.respond.receipts import ReceiptError, issue_batch, receipt_url

receipts_group = AppGroup("receipts", help="Mã QR dùng một lần in trên giấy hẹn trả kết quả.")


def _centre(code: str) -> ServiceCentre:
    centre = db.session.scalar(select(ServiceCentre).where(ServiceCentre.code == code))
    if centre is None:
        raise click.BadParameter(f"không có trung tâm nào mã {code!r}", param_hint="--centre")
    return centre


@receipts_group.command("issue", help="Cấp mã giấy hẹn dùng một lần và in mỗi dòng một đường dẫn QR.")
@click.option("--centre", "centre_code", required=True, help="Mã trung tâm, ví dụ 24001 hoặc tinh.")
@click.option("--count", type=click.IntRange(1, 5000), required=True, help="Số mã cần cấp.")
@click.option("--field", "field_code", help="Mã lĩnh vực điền sẵn, ví dụ ho_tich.")
def issue_receipts_command(centre_code: str, count: int, field_code: str | None) -> None:
    """Issue single-use receipt tokens and print one QR URL per line."""
    centre = _centre(centre_code)
    field = None
    if field_code:
        field = db.session.scalar(select(ServiceField).where(ServiceField.code == field_code))
        if field is None:
            raise click.BadParameter(f"không có lĩnh vực {field_code!r}", param_hint="--field")
    try:
        tokens = issue_batch(db.session, centre, count, field=field, issued_by="cli")
    except ReceiptError as exc:
        raise click.BadParameter(str(exc), param_hint="--centre") from None
    record("receipt_batch_issue", centre.code, username="cli", count=count,
           field=field.code if field else None)
    db.session.commit()
    base = public_base_url("Các đường dẫn biên nhận in ra dưới đây")
    for token in tokens:
        click.echo(receipt_url(base, token))


@click.command("posters", help="Ghi vào OUT mỗi trung tâm một áp phích QR khổ A5 (HTML) để in.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--centre", "centre_code", help="Chỉ trung tâm này (mặc định: mọi trung tâm đang hoạt động).")
def posters_command(out: Path, centre_code: str | None) -> None:
    """Write one printable A5 QR poster (HTML) per centre into OUT."""
    if centre_code:
        centres = [_centre(centre_code)]
    else:
        centres = list(db.session.scalars(
            select(ServiceCentre).where(ServiceCentre.active).order_by(ServiceCentre.code)
        ))
    try:
        written = write_posters(centres, public_base_url("Mã QR trên các áp phích"), out)
    except OSError as exc:
        raise click.BadParameter(f"không ghi được vào {out}: {exc.strerror or exc}", param_hint="--out") from None
    click.echo(f"Đã ghi {len(written)} áp phích vào {out} (mở bằng trình duyệt, in khổ A5).")


COMMANDS = (receipts_group, posters_command)
