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

from survey.questionnaire import QuestionnaireDefinition
from survey.spreadsheets import defuse_frame, write_frame_csv

if TYPE_CHECKING:  # pandas loads with the first export, not with the app or `flask export --help`
    import pandas as pd

    from survey.frame.report import WeightingReport

DESIGN_DESCRIPTIONS = {
    "response_id": "Mã phiếu (ngẫu nhiên, không gắn với người trả lời)",
    "wave": "Đợt khảo sát",
    "stratum": "Tầng: mã xã/phường; Trung tâm Phục vụ hành chính công tỉnh là tầng “tinh”",
    "psu": "Đơn vị mẫu bậc một: trung tâm × ngày (giờ địa phương), hoặc từng phiếu",
    "design_weight": "Trọng số thiết kế: số hồ sơ đã giải quyết của ô ÷ số phiếu hợp lệ của ô",
    "locality_code": "Mã xã/phường của trung tâm (“tinh” cho trung tâm tỉnh)",
    "locality_name": "Tên xã/phường",
    "centre_code": "Mã trung tâm (Bộ phận Một cửa)",
    "field_code": "Mã lĩnh vực thủ tục",
    "channel": "Kênh: desk (mã QR tại quầy) hoặc receipt (mã QR trên giấy hẹn)",
    "local_date": "Ngày nộp phiếu (giờ địa phương)",
    "time_band": "Khung giờ nộp phiếu (giờ địa phương)",
    "quality_flags": "Dấu hiệu chất lượng, cách nhau bởi dấu chấm phẩy",
}

ASSIGNED_DESCRIPTION = ("Được chọn ngẫu nhiên để trả lời các trang {pages} (chọn mẫu con theo kế hoạch, "
                        "tỷ lệ dự kiến {share:.0%} hoặc tỷ lệ riêng của đợt)")


def codebook(questionnaire: QuestionnaireDefinition, columns: list[str]) -> pd.DataFrame:
    """One row per export column: question (vi), choices with labels, index element."""
    import pandas as pd

    from survey.frame.responses import ASSIGNED_PREFIX

    items = questionnaire.items_by_code
    element = {child: node for node in questionnaire.index.nodes for child in node.children}
    rows = []
    for column in columns:
        item = items.get(column)
        block = next((block for block in questionnaire.blocks if column == f"{ASSIGNED_PREFIX}{block.code}"), None)
        if block is not None:
            rows.append((column, ASSIGNED_DESCRIPTION.format(pages=", ".join(block.pages), share=block.share),
                         "0/1", "1 = được chọn và được hỏi; 0 = không được chọn, không được hỏi", ""))
            continue
        if item is None:
            rows.append((column, DESIGN_DESCRIPTIONS.get(column, ""), "", "", ""))
            continue
        choices = "; ".join(
            f"{c.value} = {c.label.get('vi', c.value)}" + (" (để trống)" if c.no_answer else "")
            for c in item.choices.choices
        ) if item.choices else ""
        node = element.get(column)
        rows.append((column, item.label.get("vi", ""), item.type, choices,
                     f"{node.code}: {node.label.get('vi', '')}" if node else ""))
    return pd.DataFrame(rows, columns=["column", "question_vi", "type", "choices", "index_element"])


def tree_sheet(questionnaire: QuestionnaireDefinition) -> pd.DataFrame:
    """The index tree, one node per row, root first; children that are not nodes are items."""
    import pandas as pd

    tree = questionnaire.index
    rows = [(node.code, node.label.get("vi", ""), node.aggregate, " ".join(node.children),
             None if node.weights is None else " ".join(f"{w:g}" for w in node.weights),
             tree.item_score) for node in tree.nodes]
    rows.sort(key=lambda row: row[0] != tree.root.code)
    return pd.DataFrame(rows, columns=["node", "label_vi", "aggregate", "children", "weights", "item_score"])


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
