"""What each column of the export means (the codebook) and the index tree as a table, shared
by the XLSX's sheets (`survey.exports.workbook`) and the Parquet file's metadata
(`survey.exports.parquet`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from survey.questionnaire import QuestionnaireDefinition

if TYPE_CHECKING:  # pandas loads with the first export, not with the app or `flask export --help`
    import pandas as pd

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
