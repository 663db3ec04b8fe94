"""The PAR score of a wave, computed by `analysis.par` and rendered as JSON, XLSX or a page.

The responses become a frame (one row per leader: group and the option chosen for each
criterion); the questionnaire gives each criterion's points, field and shares; the invited
count of each group is the population of its stratum.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.leaders.progress import invited_by_group
from survey.leaders.roster import GROUP_LIST
from survey.models import LeaderResponse, Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.respond.flow import questionnaire_of
from survey.spreadsheets import append_row

if TYPE_CHECKING:
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
    """One row per stored response: the group and each criterion's chosen option."""
    codes = [item.code for item in questionnaire.graded_items]
    rows = [{GROUP_COLUMN: group, **{c: (answers or {}).get(c) for c in codes}}
            for group, answers in session.execute(
                select(LeaderResponse.group_code, LeaderResponse.answers)
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


def score_json(report: ParReport, labels, wave: Wave) -> str:
    return json.dumps(score_dict(report, labels, wave), ensure_ascii=False, indent=2, allow_nan=False)


SHEETS = {
    "by_group": ("Theo nhóm", ("group", "label", "invited", "responses", "response_rate",
                               "estimate", "se", "ci_low", "ci_high", "reason_text")),
    "by_field": ("Theo lĩnh vực", ("field", "label", "max_points", "estimate", "se", "ci_low",
                                   "ci_high", "lost", "reason_text")),
    "criteria": ("Tiêu chí", ("rank", "code", "label", "field_label", "max_points", "estimate",
                              "se", "ci_low", "ci_high", "mean_share", "lost", "graded",
                              "cannot_assess", "reason_text")),
}


def _cell(value):
    """A figure as a sheet shows it: "–" where there is none (the row's note says why)."""
    return "–" if value is None else value


def score_xlsx(report: ParReport, labels, wave: Wave) -> bytes:
    """The report as a workbook: the total, then one sheet per breakdown."""
    data = score_dict(report, labels, wave)
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng điểm"
    append_row(sheet, ("Đợt", "Chỉ tiêu", "Điểm", "Sai số chuẩn", "Cận dưới 95%", "Cận trên 95%",
                       "Số phiếu", "Điểm tối đa", "Ghi chú"))
    for name, key in (("Tổng điểm", "total"), ("Tổng điểm (E tính 0 điểm)", "total_e_as_zero")):
        t = data[key]
        append_row(sheet, (wave.code, name, *(_cell(t[c]) for c in ("estimate", "se", "ci_low", "ci_high")),
                           t["n"], data["max_points"], t["reason_text"] or ""))
    for key, (title, columns) in SHEETS.items():
        sheet = book.create_sheet(title)
        append_row(sheet, columns)
        for row in data[key]:
            append_row(sheet, tuple(_cell(row.get(c)) for c in columns))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
