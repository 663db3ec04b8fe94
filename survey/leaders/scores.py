"""The PAR score of a wave as a report document, computed by `analysis.par`, and its workbook.

The responses become a frame (one row per leader: group and the option chosen for each
criterion); the questionnaire gives each criterion's points, field and shares; the invited
count of each group is the population of its stratum. The document goes through the reports'
pipeline like the citizens' report (`survey.reports.kinds`): built by the same job, kept by the
same store, shown on the same page, downloaded as HTML, XLSX, JSON or PDF.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.clock import local_now, local_today
from survey.enums import ReportKind
from survey.leaders.mix import BLOCK, waiting_counts
from survey.leaders.progress import invited_by_group
from survey.leaders.roster import GROUP_LIST
from survey.leaders.store import settle
from survey.models import Answer, LeaderResponse, Wave, WaveStatus
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.versions import questionnaire_of
from survey.spreadsheets import append_row, safe_cell

if TYPE_CHECKING:  # pandas, openpyxl and analysis/ load with a score, not with the app
    import pandas as pd
    from openpyxl import Workbook

    from analysis.par import Criterion, ParReport

GROUP_COLUMN = "group"
REASON_TEXT = {
    "census": "toàn bộ nhóm đã trả lời: không có sai số chọn mẫu",
    "suppressed": "chưa đủ dữ liệu: dưới {min_cell} phiếu",
    "no_graded": "chưa có phiếu chọn A–D",
    "too_few": "chưa đủ dữ liệu: 1 phiếu",
    "no_df": "chưa tính được khoảng tin cậy: số phiếu bằng số nhóm",
    "all_same": "mọi phiếu cùng một mức: chưa tính được khoảng tin cậy",
}
"""Why a figure or its interval is "–", in the words officials read (codes from analysis.par)."""


def criteria_of(questionnaire: QuestionnaireDefinition) -> list[Criterion]:
    """Each graded item as a criterion: points, PAR field (its index node) and shares."""
    from analysis.par import Criterion  # scipy loads on the first score, not at every app start

    criteria = []
    for item in questionnaire.graded_items:
        parent = questionnaire.index.parent_of(item.code)
        criteria.append(Criterion(item.code, float(item.points or 0),
                                  parent.code if parent else "", item.choices.shares))
    return criteria


def labels_of(questionnaire: QuestionnaireDefinition) -> dict[str, dict[str, str]]:
    """Vietnamese labels of groups, fields and criteria, from the questionnaire."""
    groups = questionnaire.choice_lists.get(GROUP_LIST)
    return {
        "group": {c.value: c.label.get("vi", c.value) for c in (groups.choices if groups else ())},
        "field": {n.code: n.label.get("vi", n.code) for n in questionnaire.index.nodes},
        "criterion": {i.code: i.label.get("vi", i.code) for i in questionnaire.graded_items},
    }


def response_frame(session: Session, wave: Wave, questionnaire: QuestionnaireDefinition) -> pd.DataFrame:
    """One row per stored response, in the responses' stored order: the group and each
    criterion's chosen option, read from the leaders' answer rows."""
    import pandas as pd

    codes = [item.code for item in questionnaire.graded_items]
    chosen: dict[uuid.UUID, dict[str, str | None]] = defaultdict(dict)
    for response_id, code, value in session.execute(
            select(Answer.leader_response_id, Answer.item_code, Answer.value)
            .join(LeaderResponse, LeaderResponse.id == Answer.leader_response_id)
            .where(LeaderResponse.wave_id == wave.id, Answer.item_code.in_(codes))):
        chosen[response_id][code] = value
    rows = [{GROUP_COLUMN: group, **{c: chosen[response_id].get(c) for c in codes}}
            for response_id, group in session.execute(
                select(LeaderResponse.id, LeaderResponse.group_code)
                .where(LeaderResponse.wave_id == wave.id))]
    return pd.DataFrame(rows, columns=[GROUP_COLUMN, *codes])


def wave_score(session: Session, wave: Wave) -> tuple[ParReport, dict[str, dict[str, str]]]:
    """The score report of ``wave`` and the labels its renderers use."""
    from analysis.par import par_score

    questionnaire = questionnaire_of(wave)
    report = par_score(response_frame(session, wave, questionnaire), criteria_of(questionnaire),
                       group=GROUP_COLUMN, population=invited_by_group(session, wave) or None)
    return report, labels_of(questionnaire)


def score_dict(report: ParReport, labels: dict[str, dict[str, str]], wave: Wave) -> dict[str, Any]:
    """The report as JSON-ready data, each group, field and criterion with its label."""
    data = report.as_dict()

    def explain(row: dict[str, Any]) -> None:
        reason = row.get("reason")
        row["reason_text"] = REASON_TEXT[reason].format(min_cell=report.min_cell) if reason else None

    for row in (data["total"], data["total_e_as_zero"], *data["by_group"], *data["by_field"],
                *data["criteria"]):
        explain(row)
    for row in data["by_group"]:
        row["label"] = labels["group"].get(row["group"], row["group"])
    for row in data["by_field"]:
        row["label"] = labels["field"].get(row["field"], row["field"])
    for row in data["criteria"]:
        row["label"] = labels["criterion"].get(row["code"], row["code"])
        row["field_label"] = labels["field"].get(row["field"], row["field"])
    return {"wave": wave.code, **data}


def par_document(session: Session, wave: Wave) -> dict[str, Any]:
    """The wave's PAR score as a report document: the sheets the mix can release are counted
    first, and the document says how many still wait in it (`survey.leaders.mix`)."""
    settle(session, wave, local_today())
    report, labels = wave_score(session, wave)
    questionnaire = questionnaire_of(wave)
    root = questionnaire.index.nodes[0] if questionnaire.index.nodes else None
    return {"kind": ReportKind.PAR_SCORE, **score_dict(report, labels, wave),
            "title": root.label.get("vi", root.code) if root else questionnaire.title.get("vi", ""),
            "demo": wave.is_demo, "interim": is_interim(wave),
            "built_at": local_now().isoformat(timespec="seconds"),
            "held": sum(waiting_counts(session, wave).values()), "block": BLOCK}


def score_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)


# Number formats as in the citizens' report (survey.reports.render): Excel shows them with the
# reader's separators, so a Vietnamese Excel reads 12,3 and 1.234.
POINTS, SE_FORMAT, PERCENT, COUNT = "0.0", "0.00", "0.0%", "#,##0"
FIGURE_COLUMNS = (("estimate", "Điểm", POINTS), ("se", "Sai số chuẩn", SE_FORMAT),
                  ("ci_low", "Cận dưới KTC {level}", POINTS), ("ci_high", "Cận trên KTC {level}", POINTS))
NOTE_COLUMN = ("reason_text", "Ghi chú", None)
# Groups, fields and criteria by their Vietnamese names only: their codes (`lanh_dao_so`,
# `direction`, `th1`) are the questionnaire file's, and the JSON keeps them.
SHEETS = {
    "by_group": ("Theo nhóm", (
        ("label", "Nhóm", None), ("invited", "Số người được mời", COUNT),
        ("responses", "Số phiếu", COUNT), ("response_rate", "Tỷ lệ trả lời", PERCENT),
        *FIGURE_COLUMNS, NOTE_COLUMN)),
    "by_field": ("Theo lĩnh vực", (
        ("label", "Lĩnh vực", None), ("max_points", "Điểm tối đa", POINTS),
        *FIGURE_COLUMNS, ("lost", "Điểm bị mất", POINTS), NOTE_COLUMN)),
    "criteria": ("Tiêu chí", (
        ("rank", "Thứ hạng (mất nhiều điểm nhất trước)", COUNT), ("label", "Tiêu chí", None),
        ("field_label", "Lĩnh vực", None), ("max_points", "Điểm tối đa", POINTS),
        *FIGURE_COLUMNS, ("mean_share", "Tỷ lệ điểm đạt được", PERCENT), ("lost", "Điểm bị mất", POINTS),
        ("graded", "Số phiếu chọn mức A–D", COUNT),
        ("cannot_assess", "Số phiếu chọn E (không đánh giá được)", COUNT), NOTE_COLUMN)),
}
TOTAL_SHEET = "Tổng điểm"
NOTES_SHEET = "Ghi chú"  # as in the citizens' report
CHARTS_SHEET = "Biểu đồ"  # as in the citizens' report
DEMO_MARK = "DỮ LIỆU MÔ PHỎNG"


def _cell(value):
    """A figure as a sheet shows it: "–" where there is none (the row's note says why)."""
    return "–" if value is None else value


def is_interim(wave: Wave) -> bool:
    """Whether the wave's figures may still change: until the wave is closed, answers still come
    in and the sheets held back in the mix (survey.leaders.mix) are not all counted."""
    return wave.status != WaveStatus.CLOSED


def _append(sheet, values, formats) -> None:
    """One row written through `append_row`, each figure given its number format."""
    append_row(sheet, values)
    for cell, fmt in zip(sheet[sheet.max_row], formats, strict=False):
        if fmt and isinstance(cell.value, (int, float)):
            cell.number_format = fmt


def _header(sheet, headers) -> None:
    from openpyxl.styles import Alignment, Font

    append_row(sheet, headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"  # the header is the sheet's first row


def _notes_sheet(book: Workbook, data: dict[str, Any], with_charts: bool) -> None:
    """The first sheet: what the workbook is, whether the wave is still open, when it was built."""
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(NOTES_SHEET)
    built = dt.datetime.fromisoformat(data["built_at"])
    weighted = any(row.get("invited") for row in data["by_group"])
    rows = [
        ("Nội dung", "Điểm chỉ số cải cách hành chính (PAR Index) theo đánh giá của lãnh đạo, quản lý: "
                     "tổng điểm, điểm theo nhóm người trả lời, theo lĩnh vực và theo tiêu chí"),
        ("Đợt", data["wave"]),
        ("Trạng thái", "Số liệu tạm tính: đợt khảo sát chưa kết thúc" if data["interim"]
         else "Số liệu chính thức của đợt"),
        ("Lập lúc", f"{built:%H:%M} ngày {built:%d/%m/%Y}"),
        ("Trọng số", "Mỗi nhóm người trả lời là một tầng, gia quyền theo số người được mời của nhóm"
         if weighted else "Chưa có số người được mời: mọi phiếu có trọng số bằng nhau"),
        ("Khoảng tin cậy", f"KTC {data['level']:.0%}: khoảng tin cậy của điểm, luôn nằm giữa 0 và điểm tối đa"),
        ("Ô “–”", "Con số không tính được; cột “Ghi chú” ghi lý do "
                  f"(ví dụ nhóm dưới {data['min_cell']} phiếu không được công bố)"),
        ("Các trang", "; ".join([TOTAL_SHEET, *(title for title, _ in SHEETS.values())]
                                + ([CHARTS_SHEET] if with_charts else []))),
    ]
    if data["demo"]:
        rows.insert(0, ("Dữ liệu", DEMO_MARK))
    for key, value in rows:
        append_row(sheet, (key, value))
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 100


def _charts_sheet(book: Workbook, data: dict[str, Any], charts: dict[str, bytes]) -> None:
    """The charts as images under their titles, each with the sentence the HTML has under it
    (why it is not drawn, which groups it leaves out)."""
    from openpyxl.drawing.image import Image as SheetImage
    from openpyxl.styles import Font

    from survey.leaders.charts import CHART_TITLES, chart_notes

    sheet = book.create_sheet(CHARTS_SHEET)
    notes = chart_notes(data)
    row = 1
    for name, title in CHART_TITLES.items():
        sheet.cell(row=row, column=1, value=title).font = Font(bold=True)
        row += 1
        if notes[name]:
            sheet.cell(row=row, column=1, value=safe_cell(notes[name]))  # group names come from the file
            row += 1
        if name in charts:
            image = SheetImage(io.BytesIO(charts[name]))
            sheet.add_image(image, f"A{row}")
            row += int(image.height / 20) + 1
        row += 1


def score_xlsx(data: dict[str, Any], charts: dict[str, bytes] | None = None) -> bytes:
    """The report document as a workbook: a notes sheet, the total, then one sheet per breakdown,
    and the charts' sheet when the report's charts are given (``{}``: none could be drawn yet)."""
    from openpyxl import Workbook

    level = f"{data['level']:.0%}"
    book = Workbook()
    book.remove(book.active)
    _notes_sheet(book, data, with_charts=charts is not None)
    sheet = book.create_sheet(TOTAL_SHEET)
    _header(sheet, ("Đợt", "Chỉ tiêu", "Điểm", "Sai số chuẩn", f"Cận dưới KTC {level}",
                    f"Cận trên KTC {level}", "Số phiếu", "Điểm tối đa", "Ghi chú"))
    for name, key in (("Tổng điểm", "total"), ("Tổng điểm (E tính 0 điểm)", "total_e_as_zero")):
        t = data[key]
        _append(sheet, (data["wave"], name, *(_cell(t[c]) for c in ("estimate", "se", "ci_low", "ci_high")),
                        t["n"], data["max_points"], t["reason_text"] or ""),
                (None, None, POINTS, SE_FORMAT, POINTS, POINTS, COUNT, POINTS, None))
    for key, (title, columns) in SHEETS.items():
        sheet = book.create_sheet(title)
        _header(sheet, tuple(header.format(level=level) for _, header, _ in columns))
        formats = tuple(fmt for _, _, fmt in columns)
        for row in data[key]:
            _append(sheet, tuple(_cell(row.get(c)) for c, _, _ in columns), formats)
    if charts is not None:
        _charts_sheet(book, data, charts)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
