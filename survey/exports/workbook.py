"""Write the export: UTF-8 CSV, an XLSX with notes, the responses and a codebook, or Parquet.

XLSX sheets, in order: `notes` (how the weights were made, and in plain words when the
estimates are unweighted), `responses` (frozen, filtered header row), `codebook` (each
column's question in Vietnamese, its choices with labels and its index element) and
`index_tree` (each node of the index with its children and weights, space-separated), so the
XLSX alone is enough to compute the index (docs/analysis.md has the R script). The notes end
with every collapsed weighting cell, which the command's stderr only counts. Parquet
(`survey.exports.parquet`) keeps the same notes, codebook and tree in the file's metadata.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from survey.exports.codebook import codebook, tree_sheet
from survey.questionnaire import QuestionnaireDefinition
from survey.spreadsheets import defuse_frame, write_frame_csv

if TYPE_CHECKING:  # pandas loads with the first export, not with the app or `flask export --help`
    import pandas as pd

    from survey.frame.report import WeightingReport

FORMATS = ("csv", "xlsx", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def write_export(frame: pd.DataFrame, path_or_buffer, fmt: str, *, report: WeightingReport | None = None,
                 questionnaire: QuestionnaireDefinition | None = None) -> None:
    """Write `frame` as UTF-8 CSV (with BOM, so Excel shows Vietnamese) or XLSX, every sheet
    formula-safe (`survey.spreadsheets`), or as Parquet (`survey.exports.parquet`)."""
    import pandas as pd

    if fmt == "csv":
        write_frame_csv(frame, path_or_buffer)
        return
    if fmt == "parquet":
        from survey.exports.parquet import write_parquet

        write_parquet(frame, path_or_buffer, notes=weighting_notes(report), questionnaire=questionnaire)
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}; use {', '.join(FORMATS)}")
    safe = defuse_frame(frame)
    with pd.ExcelWriter(path_or_buffer, engine="openpyxl") as writer:
        notes = _notes(report)
        defuse_frame(notes).to_excel(writer, sheet_name="notes", index=False, header=False)
        safe.to_excel(writer, sheet_name="responses", index=False)
        sheet = writer.sheets["responses"]
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        if questionnaire is not None:
            defuse_frame(codebook(questionnaire, list(frame.columns))).to_excel(
                writer, sheet_name="codebook", index=False)
            defuse_frame(tree_sheet(questionnaire)).to_excel(writer, sheet_name="index_tree", index=False)
        writer.sheets["notes"].column_dimensions["A"].width = 120


R_DESIGN = "R: svydesign(id=~psu, strata=~stratum, weights=~design_weight, nest=TRUE, data=...)"
SHEETS_GUIDE = "Trang “responses”: mỗi dòng một phiếu hợp lệ; trang “codebook”: ý nghĩa từng cột."


def weighting_notes(report: WeightingReport | None, guide: tuple[str, ...] = ()) -> list[str]:
    """How the weights were made (in plain words when the estimates are unweighted), the
    ``guide`` lines to the file, the R design call, then every collapsed weighting cell, which
    the command's stderr only counts."""
    lines: list[str] = []
    if report is not None:
        notice = report.unweighted_notice_vi()
        if notice:
            lines += [notice, ""]
        lines += report.lines()
    lines += ["", *guide, R_DESIGN]
    detail = report.detail_lines() if report is not None else []
    if detail:
        lines += ["", "Every collapsed cell and every centre not represented:"] + detail
    return lines


def _notes(report: WeightingReport | None) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"note": weighting_notes(report, (SHEETS_GUIDE,))})
