"""A pre-filled XLSX counts template: every active centre × every active field, count blank.

Names come from officials (a centre renamed to `=HYPERLINK(...)` is an attack), so every row
goes through `survey.spreadsheets.append_row`.
"""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.counts.parse import VIETNAMESE_HEADERS
from survey.models import ServiceCentre, ServiceField
from survey.spreadsheets import append_row

CENTRE_NAME = "Tên trung tâm (không cần sửa)"
HEADER = [VIETNAMESE_HEADERS["centre_code"], CENTRE_NAME, VIETNAMESE_HEADERS["field_code"],
          VIETNAMESE_HEADERS["quarter"], VIETNAMESE_HEADERS["dossiers_resolved"]]
GUIDE = [
    "Điền cột “Số hồ sơ đã giải quyết” cho từng dòng: số nguyên không âm, ghi 0 nếu không có hồ sơ.",
    "Không đổi tên cột, không sửa mã trung tâm, lĩnh vực và quý. Có thể xoá dòng không dùng.",
    "Tải lên tại trang “Số hồ sơ đã giải quyết” hoặc: flask --app wsgi counts import TỆP --quarter QUÝ.",
    "Khi nhập, số liệu của cả quý (trong phạm vi của Ông/Bà) được thay bằng số liệu trong tệp.",
]


def counts_template(session: Session, quarter: str, centre_ids: list[int] | None = None) -> bytes:
    """The template for `quarter` as XLSX bytes, limited to `centre_ids` if given."""
    from openpyxl import Workbook  # loaded by the download, not by the app or the counts commands
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    centres_query = select(ServiceCentre).where(ServiceCentre.active).order_by(ServiceCentre.code)
    if centre_ids is not None:
        centres_query = centres_query.where(ServiceCentre.id.in_(centre_ids))
    centres = session.scalars(centres_query).all()
    fields = session.scalars(
        select(ServiceField).where(ServiceField.active).order_by(ServiceField.sort_order, ServiceField.code)
    ).all()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "so_ho_so"
    append_row(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for centre in centres:
        for field in fields:
            append_row(sheet, [centre.code, centre.name, field.name, quarter, None])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            error="Số hồ sơ phải là số nguyên không âm.", showErrorMessage=True)
    sheet.add_data_validation(counts)
    counts.add(f"E2:E{max(2, sheet.max_row)}")
    for column, width in zip("ABCDE", (16, 48, 34, 10, 24), strict=True):
        sheet.column_dimensions[column].width = width
    guide = workbook.create_sheet("huong_dan")
    for line in GUIDE:
        append_row(guide, [line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
