"""Renderers of the report: JSON, self-contained HTML and XLSX, all from the JSON document.

The document is ``Report.as_dict()``; rendering from it (rather than the
object) lets the web page and the downloads re-render a stored report and a
role-filtered copy of it with the same code.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import unicodedata
from typing import TYPE_CHECKING

from flask import render_template

from survey.reports.wording import CHART_TITLES, GROUP_NAMES, built_when, decimal, interim_line, percent
from survey.spreadsheets import safe_cell

if TYPE_CHECKING:  # openpyxl is imported by the XLSX writer only, not by every page that renders a report
    from openpyxl import Workbook

PERCENT = "0.0%"
DEMO_MARK = "DỮ LIỆU MÔ PHỎNG"
STAT_HEADERS = ["Ước lượng", "Sai số chuẩn", "KTC 95% dưới", "KTC 95% trên", "n", "n hiệu dụng", "deff",
                "Vì sao để trống"]
STAT_FORMATS = [PERCENT, "0.00%", PERCENT, PERCENT, "#,##0", "#,##0", "0.00", None]


def to_json(document: dict) -> str:
    """The JSON file's text."""
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)


def data_uris(charts: dict[str, bytes]) -> dict[str, str]:
    """PNG bytes as ``data:`` URIs, so the HTML file makes no outside request."""
    return {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            for name, png in charts.items()}


def _alphabetical(name: str) -> str:
    """A name's place in Vietnamese alphabetical order, near enough: diacritics set aside, đ as d."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def by_rank(localities: list[dict]) -> list[dict]:
    """Ranked localities first (rank 1 on top), then the unranked by name, as an official reads them."""
    return sorted(localities, key=lambda row: (row["rank"] is None, row["rank"] or 0,
                                               _alphabetical(row["name"]) if row["rank"] is None else ""))


def _context(document: dict, charts: dict[str, bytes]) -> dict:
    localities = document.get("localities", [])  # a PAR score has none
    names = {row["code"]: row["name"] for row in localities}
    return {"r": document, "charts": data_uris(charts), "group_names": GROUP_NAMES,
            "locality_names": names, "localities_by_rank": by_rank(localities)}


def to_html(document: dict, charts: dict[str, bytes]) -> str:
    """The self-contained HTML file of a satisfaction report (inline CSS and images; A4 print CSS)."""
    return render_template("reports/document.html", body_template="reports/_body.html",
                           **_context(document, charts))


def summary_line(document: dict) -> str:
    """A satisfaction report in one line: its index with the interval or why there is none."""
    (index,) = document["province"]["index"].values()
    interval = (f"{percent(index['ci_low'])}–{percent(index['ci_high'])}" if index["ci_low"] is not None
                else f"– ({index['note_text']})")
    demo = " [DỮ LIỆU MÔ PHỎNG]" if document["demo"] else ""
    interim = ", số liệu tạm tính" if document["interim"] else ""
    return (f"{document['wave']}{demo}: {index['label']} {percent(index['estimate'])} (KTC 95% {interval}), "
            f"n = {document['n']}{interim}")


def par_summary_line(document: dict) -> str:
    """A PAR score in one line: the total points with the interval or why there is none."""
    total = document["total"]
    estimate = decimal(total["estimate"], 2) if total["estimate"] is not None else "–"
    interval = (f"{decimal(total['ci_low'], 2)}–{decimal(total['ci_high'], 2)}" if total["ci_low"] is not None
                else f"– ({total['reason_text'] or 'chưa tính được'})")
    interim = ", số liệu tạm tính" if document["interim"] else ""
    return (f"{document['wave']}: {document['title']} {estimate}/{decimal(document['max_points'], 0)} điểm "
            f"(KTC 95% {interval}), n = {total['n']}{interim}")


def body_context(document: dict, charts: dict[str, bytes]) -> dict:
    """Template variables for ``reports/_body.html`` inside a web page."""
    return _context(document, charts)


def restrict(document: dict, locality_codes: set[str], centre_codes: set[str]) -> dict:
    """A copy showing the province and only the given localities and centres (an officer's view)."""
    out = copy.deepcopy(document)
    out["localities"] = [row for row in out["localities"] if row["code"] in locality_codes]
    for opinion in out["opinions"].values():
        opinion["by_locality"] = {k: v for k, v in opinion["by_locality"].items() if k in locality_codes}
    out["quality"] = [q for q in out["quality"] if q["centre_code"] in centre_codes]
    # what names other localities: their extremes and the summary's sentence on who moved
    out["extremes"] = {}
    out["summary"] = [line for line in out.get("summary", []) if line["topic"] != "localities"]
    if out.get("comments"):
        out["comments"] = [c for c in out["comments"] if c["locality_code"] in locality_codes] or None
    out["method"]["n_per_stratum"] = {k: v for k, v in out["method"]["n_per_stratum"].items()
                                      if k in locality_codes}
    out["restricted"] = True
    return out


def _banner(document: dict) -> list[tuple[str, str]]:
    """The lines above every sheet's table: demo mark, interim or build time, weighting."""
    lines = []
    if document["demo"]:
        lines.append((DEMO_MARK, "B8860B"))
    lines.append((interim_line(document) or f"Lập lúc {built_when(document.get('built_at'))}.", "1F5F99"))
    lines.append(("Có gia quyền theo số hồ sơ đã giải quyết." if document["weighted"]
                  else "Chưa gia quyền (thiếu số hồ sơ): mọi phiếu có trọng số bằng nhau.", "555555"))
    return lines


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list], formats: list[str | None],
           banner: list[tuple[str, str]]):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    for top, (text, colour) in enumerate(banner, start=1):
        sheet.cell(row=top, column=1, value=text).font = Font(bold=True, color=colour)
    top = len(banner) + 1
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=top, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF3F8")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=top + 1):
        for col, (value, fmt) in enumerate(zip(row, formats, strict=False), start=1):
            cell = sheet.cell(row=r, column=col, value=safe_cell(value))  # names typed by officials
            if fmt:
                cell.number_format = fmt
    sheet.freeze_panes = sheet.cell(row=top + 1, column=2)
    for col in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 42 if col == 1 else 14
    return sheet


def _stat_values(s: dict) -> list:
    return [s["estimate"], s["se"], s["ci_low"], s["ci_high"], s["n"], s["effective_n"], s["deff"],
            s.get("note_text")]


SMALL_AREA_HEADERS = ["Ước lượng khu vực nhỏ", "KTC 95% dưới (mô hình)", "KTC 95% trên (mô hình)",
                      "Dựa trên mô hình", "Hạng chung"]
SMALL_AREA_FORMATS = [PERCENT, PERCENT, PERCENT, None, "0"]


def _small_area_values(row: dict) -> list:
    """The small-area columns of a locality: modelled, synthetic (no response) or blank."""
    extra = row.get("extra") or {}
    small = extra.get("small_area") or extra.get("small_area_synthetic")
    if small is None:
        return [None, None, None, None, extra.get("combined_rank")]
    kind = ("Có (chưa có phiếu: chỉ từ mô hình)" if small.get("synthetic")
            else "Có" if small["model_based"] else "Không")
    return [small["estimate"], small["ci_low"], small["ci_high"], kind, extra.get("combined_rank")]


CHANGE_HEADERS = ["Đợt trước", "Chỉ số đợt trước", "Thay đổi", "Sai số chuẩn của thay đổi", "p",
                  "Có ý nghĩa thống kê", "Vì sao không so được"]
CHANGE_FORMATS = [None, PERCENT, "+0.0%;-0.0%;0.0%", "0.00%", "0.000", None, None]


def _change_values(change: dict | None) -> list:
    """The change columns of a locality (blank without a previous wave)."""
    if not change:
        return [None] * len(CHANGE_HEADERS)
    significant = None if change.get("difference") is None else ("Có" if change.get("significant") else "Không")
    return [change.get("previous_wave"), change.get("previous"), change.get("difference"), change.get("se"),
            change.get("p_value"), significant, change.get("note_text")]


def _notes_sheet(book: Workbook, document: dict, banner) -> None:
    """The first sheet: what the workbook is, whether it is final and weighted, when it was built."""
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet("Ghi chú")
    rows = [("Báo cáo", f"Chỉ số hài lòng về sự phục vụ hành chính — đợt {document['wave']}"),
            ("Trạng thái", "Số liệu tạm tính: đợt khảo sát chưa kết thúc" if document.get("interim")
             else "Số liệu chính thức của đợt"),
            ("Lập lúc", built_when(document.get("built_at"))),
            ("Trọng số", "Có gia quyền theo số hồ sơ đã giải quyết" if document["weighted"]
             else "Chưa gia quyền (thiếu số hồ sơ): mọi phiếu có trọng số bằng nhau"),
            ("Số phiếu được phân tích", document["n"]),
            ("Khoảng tin cậy", f"{document['level']:.0%} (Korn–Graubard cho tỷ lệ và chỉ số), "
                               "xem phụ lục phương pháp trong báo cáo HTML"),
            ("Ô để trống", "Con số không tính được; cột “Vì sao để trống” ghi lý do"),
            ("Độ tin cậy", document["reliability_rule"])]
    if document["demo"]:
        rows.insert(0, ("Dữ liệu", DEMO_MARK))
    for r, (key, value) in enumerate(rows, start=1):
        sheet.cell(row=r, column=1, value=key).font = Font(bold=True)
        sheet.cell(row=r, column=2, value=safe_cell(value)).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100


def _respondent_sheets(book: Workbook, document: dict, banner) -> None:
    """A sheet each for the index by respondent group, the priorities and the channels, when declared."""
    def why(row):
        return None if row["reliable"] else "; ".join(document["method"]["reasons"].get(x, x) for x in row["reasons"])

    reliable = {True: "Có", False: "Chưa đủ tin cậy"}
    if document.get("groups") is not None:
        rows = []
        for g in document["groups"]:
            rows += [[g["label"], c["label"] + (f" ({', '.join(c['pooled'])})" if c["pooled"] else ""),
                      reliable[c["reliable"]], why(c)] + _stat_values(c["index"]) for c in g["categories"]]
            if g["note"]:
                rows.append([g["label"], g["note"]])
        _sheet(book, "Theo nhóm người trả lời", ["Câu hỏi", "Nhóm", "Đủ tin cậy", "Ghi chú"] + STAT_HEADERS,
               rows, [None] * 4 + STAT_FORMATS, banner)
    if document.get("priorities") is not None:
        _sheet(book, "Mong muốn", ["Mong muốn cải thiện", "Hạng", "Câu trả lời được tính", "Đủ tin cậy",
                                   "Ghi chú"] + STAT_HEADERS,
               [[p["label"], p["rank"], ", ".join(p.get("counted", [])), reliable[p["reliable"]], why(p)]
                + _stat_values(p) for p in document["priorities"]], [None, "0", None, None, None] + STAT_FORMATS,
               banner)
    if document.get("channels") is not None:
        _sheet(book, "Hình thức nộp hồ sơ", ["Hình thức muốn dùng lần tới", "Đủ tin cậy", "Ghi chú"]
               + STAT_HEADERS, [[c["label"], reliable[c["reliable"]], why(c)] + _stat_values(c)
                                for c in document["channels"]], [None] * 3 + STAT_FORMATS, banner)


def to_xlsx(document: dict, charts: dict[str, bytes]) -> bytes:
    """The workbook: one sheet per table, Vietnamese headers, frozen headers, a Charts sheet."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image as SheetImage
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    banner, p = _banner(document), document["province"]
    _notes_sheet(book, document, banner)
    summary = [[node["label"]] + _stat_values(node) for group in ("index", "fields", "elements")
               for node in p[group].values()]
    if document["change"]:
        c = document["change"]
        summary.append([c["sentence"], c["difference"], c["se"],
                        c["ci_low"], c["ci_high"], None, None, None, None])
    if document.get("target") is not None:  # a questionnaire without a target: no distance row
        summary.append([f"Khoảng cách tới mục tiêu {document['target']:.0%}", document["gap"]] + [None] * 6
                       + [document.get("gap_sentence")])
    _sheet(book, "Tóm tắt", ["Chỉ tiêu"] + STAT_HEADERS, summary, [None] + STAT_FORMATS, banner)
    _sheet(book, "Địa phương",
           ["Địa phương", "Mã", "Hạng", "Nhóm", "Đủ tin cậy", "Ghi chú"] + STAT_HEADERS + ["CV"]
           + SMALL_AREA_HEADERS + CHANGE_HEADERS,
           [[row["name"], row["code"], row["rank"], GROUP_NAMES.get(row["group"]),
             "Có" if row["reliable"] else "Chưa đủ tin cậy",
             "; ".join(document["method"]["reasons"].get(x, x) for x in row["reasons"])]
            + _stat_values(row["index"]) + [row["index"]["cv"]] + _small_area_values(row)
            + _change_values(row.get("change"))
            for row in by_rank(document["localities"])],
           [None, None, "0", None, None, None] + STAT_FORMATS + [PERCENT] + SMALL_AREA_FORMATS
           + CHANGE_FORMATS, banner)
    _sheet(book, "Lĩnh vực", ["Lĩnh vực", "Mã", "Đủ tin cậy", "Ghi chú"] + STAT_HEADERS,
           [[row["name"], row["code"], "Có" if row["reliable"] else "Chưa đủ tin cậy",
             "; ".join(document["method"]["reasons"].get(x, x) for x in row["reasons"])]
            + _stat_values(row["index"]) for row in document.get("sectors", [])],
           [None, None, None, None] + STAT_FORMATS, banner)
    _respondent_sheets(book, document, banner)
    _sheet(book, "Tiêu chí", ["Tiêu chí", "Mã", "Yếu tố"] + STAT_HEADERS
           + [f"Mức {k}" for k in range(1, 6)],
           [[i["label"], code, p["elements"].get(i["element"], {}).get("label", i["element"])]
            + _stat_values(i["share_satisfied"]) + list(i["levels"])
            for code, i in p["items"].items()], [None, None, None] + STAT_FORMATS + [PERCENT] * 5, banner)
    opinion_rows = []
    for _code, o in document["opinions"].items():
        opinion_rows.append([o["label"], "Toàn tỉnh"] + _stat_values(o["overall"]))
        names = {row["code"]: row["name"] for row in document["localities"]}
        opinion_rows += [[o["label"], names.get(k, k)] + _stat_values(v) for k, v in o["by_locality"].items()]
    _sheet(book, "Sách nhiễu, chi phí", ["Nội dung", "Phạm vi"] + STAT_HEADERS, opinion_rows,
           [None, None] + STAT_FORMATS, banner)
    if document["drivers"]:
        d = document["drivers"]
        _sheet(book, "Yếu tố liên quan", ["Yếu tố", "Hệ số", "Sai số chuẩn", "KTC 95% dưới", "KTC 95% trên",
                                         "Tỷ số chênh", "p"],
               [[r["label"], r["coefficient"], r["se"], r["ci_low"], r["ci_high"], r["odds_ratio"],
                 r["p_value"]] for r in d["drivers"]] + [[d["reading"]]],
               [None, "0.000", "0.000", "0.000", "0.000", "0.00", "0.000"], banner)
    if document.get("comments"):
        _sheet(book, "Ý kiến người dân", ["Địa phương", "Mã", "Số ý kiến", "Tóm tắt đã duyệt"],
               [[c["locality_name"], c["locality_code"], c["comments"], c["digest"]]
                for c in document["comments"]], [None, None, "#,##0", None], banner)
    _sheet(book, "Chất lượng dữ liệu", ["Trung tâm", "Mã", "Đã nhận", "Phân tích", "Bị loại", "Gắn cờ",
                                        "Hồ sơ", "Bao phủ"],
           [[q["centre_name"], q["centre_code"], q["stored"], q["kept"], q["excluded"], q["flagged"],
             q["dossiers"], q["coverage"]] for q in document["quality"]],
           [None, None, "#,##0", "#,##0", "#,##0", "#,##0", "#,##0", PERCENT], banner)
    names = {row["code"]: row["name"] for row in document["localities"]}
    _sheet(book, "Số phiếu theo tầng", ["Tầng (địa phương)", "Mã", "n"],
           [[names.get(k, k), k, v] for k, v in document["method"]["n_per_stratum"].items()],
           [None, None, "#,##0"], banner)
    sheet = book.create_sheet("Biểu đồ")
    for row, (text, colour) in enumerate(banner, start=1):
        sheet.cell(row=row, column=1, value=text).font = Font(bold=True, color=colour)
    row = len(banner) + 1
    for name, png in charts.items():
        sheet.cell(row=row, column=1, value=CHART_TITLES.get(name, name)).font = Font(bold=True)
        image = SheetImage(io.BytesIO(png))
        sheet.add_image(image, f"A{row + 1}")
        row += int(image.height / 20) + 3
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
