"""Numbers and sentences in plain Vietnamese for the report (decimal comma, "điểm %")."""

from __future__ import annotations

import math

from survey.labels import exclusion_text, note_text  # noqa: F401  (the report's words, from the one label table)

PERCENT_DIGITS = 1


GROUP_NAMES = {1: "Cao nhất", 2: "Trung bình cao", 3: "Trung bình thấp", 4: "Thấp nhất"}
"""The four groups of localities by index (quartiles), as the report names them."""
CHART_TITLES = {
    "forest": "Chỉ số theo địa phương (khoảng tin cậy 95%)",
    "elements": "Các yếu tố (khoảng tin cậy 95%)",
    "trend": "Xu hướng qua các đợt",
    "weakest": "Năm tiêu chí thấp nhất: tỷ lệ ở từng mức trả lời",
    "drivers": "Yếu tố liên quan đến sự hài lòng (hệ số hồi quy logistic, KTC 95%)",
    "small_area": "Chỉ số trực tiếp và ước lượng khu vực nhỏ theo địa phương",
    "map": "Bản đồ chỉ số theo xã, phường (nhóm theo tứ phân vị)",
}
"""Each chart's title, on the chart and beside it in the workbook."""

def decimal(value: float | None, digits: int = 1) -> str:
    """``1234.5`` → ``"1.234,5"``: Vietnamese groups with dots and uses a decimal comma."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(share: float | None, digits: int = PERCENT_DIGITS) -> str:
    """A proportion as a percentage: ``0.8623`` → ``"86,2%"``."""
    return "–" if share is None else f"{decimal(100 * share, digits)}%"


def points(difference: float | None, digits: int = PERCENT_DIGITS) -> str:
    """A difference of proportions in percentage points, unsigned: ``0.021`` → ``"2,1 điểm %"``."""
    return "–" if difference is None else f"{decimal(abs(100 * difference), digits)} điểm %"


def p_value(p: float | None) -> str:
    """``p = 0,012`` or ``p < 0,001``."""
    if p is None or math.isnan(p):
        return "p không xác định"
    return "p < 0,001" if p < 0.001 else f"p = {decimal(p, 3)}"


def change_sentence(change) -> str:
    """"tăng 2,1 điểm %, có ý nghĩa thống kê (p = 0,012)" and the like."""
    direction = "tăng" if change.difference > 0 else "giảm" if change.difference < 0 else "không đổi"
    meaning = "có ý nghĩa thống kê" if change.significant else "không có ý nghĩa thống kê"
    amount = f"{direction} {points(change.difference)}" if change.difference else direction
    return f"So với đợt {change.previous_wave}: {amount}, {meaning} ({p_value(change.p_value)})."


def driver_reading(rows, outcome_label: str) -> str:
    """The plain reading of the key drivers: which element is most closely associated with the outcome.

    An odds ratio multiplies the odds, not the probability, and a survey of one wave shows
    association, not cause; the sentence says both.
    """
    significant = [r for r in rows if r.p_value < 0.05 and r.coefficient > 0]
    if not significant:
        return (f"Trong đợt này chưa yếu tố nào cho thấy mối liên quan có ý nghĩa thống kê với "
                f"“{outcome_label}”.")
    top = significant[0]
    return (f"Yếu tố “{top.label}” liên quan chặt nhất với “{outcome_label}”: người đánh giá yếu tố này "
            f"cao hơn một điểm (thang 1–5) có số chênh hài lòng (tỷ lệ hài lòng chia cho tỷ lệ không hài lòng) "
            f"gấp {decimal(top.odds_ratio, 1)} lần "
            f"({p_value(top.p_value)}), khi các yếu tố khác như nhau. Đây là mối liên quan, không "
            "chứng minh rằng cải thiện yếu tố này sẽ làm tăng sự hài lòng.")


def target_sentence(stat, target: float, reliable: bool) -> str:
    """How far the index is from the target, said no more firmly than its interval allows."""
    if stat.estimate is None:
        return f"Chưa ước lượng được chỉ số, nên chưa so được với mục tiêu {percent(target)}."
    gap = target - stat.estimate
    where = "thấp hơn" if gap > 0 else "cao hơn"
    amount = f"Ước lượng {where} mục tiêu {percent(target)} là {points(gap)}"
    if gap == 0:
        amount = f"Ước lượng bằng mục tiêu {percent(target)}"
    if stat.ci_low is None:
        return f"{amount}; chưa có khoảng tin cậy ({note_text(stat.note, stat.n)}), nên chưa kết luận được."
    if stat.ci_low <= target <= stat.ci_high:
        verdict = "mục tiêu nằm trong khoảng tin cậy 95%, nên chưa khẳng định được là đã đạt hay chưa đạt"
    elif stat.ci_high < target:
        verdict = "cả khoảng tin cậy 95% đều dưới mục tiêu: chưa đạt"
    else:
        verdict = "cả khoảng tin cậy 95% đều trên mục tiêu: đã đạt"
    caveat = "" if reliable else " Ước lượng chưa đủ tin cậy, chỉ nên tham khảo."
    return f"{amount}; {verdict}.{caveat}"


def built_when(iso: str | None) -> str:
    """``2026-12-04T17:05:00+07:00`` → ``"17:05 ngày 04/12/2026"``."""
    import datetime as dt

    if not iso:
        return "–"
    moment = dt.datetime.fromisoformat(iso)
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def interim_line(document: dict) -> str | None:
    """"Số liệu tạm tính, lập lúc …" for an interim report, else ``None``."""
    if not document.get("interim"):
        return None
    return (f"Số liệu tạm tính, lập lúc {built_when(document.get('built_at'))}: đợt khảo sát chưa kết thúc, "
            "các con số còn thay đổi.")


def _lower_first(label: str) -> str:
    """A label inside a sentence: its first letter lower case, an abbreviation ("SIPAS") kept."""
    return label[:1].lower() + label[1:]


def summary_sentences(report) -> list[dict]:
    """The leadership's one-page summary as two to nine plain sentences, from the report's numbers.

    Every sentence is as firm as its figure allows: unreliable figures are said to be so, and
    a ranking uses only reliable estimates.  Each is ``{"topic", "text"}``; the topic
    ``localities`` names localities, which an officer's copy leaves out.
    """
    index = report.index
    stat = index.stat
    lines = []

    def add(topic: str, text: str) -> None:
        lines.append({"topic": topic, "text": text})

    if stat.estimate is None:
        add("index", f"Chưa ước lượng được {_lower_first(index.label)} ({stat.note_text}).")
    else:
        interval = (f"khoảng tin cậy 95% từ {percent(stat.ci_low)} đến {percent(stat.ci_high)}"
                    if stat.ci_low is not None else f"chưa có khoảng tin cậy: {stat.note_text}")
        flag = "" if index.reliable else " Con số chưa đủ tin cậy, chỉ nên tham khảo."
        add("index", f"{index.label} đợt {report.wave}: {percent(stat.estimate)} ({interval}), "
                     f"từ {decimal(report.n, 0)} phiếu.{flag}")
    if report.gap_sentence is not None:  # a questionnaire without a target has no distance to one
        add("target", report.gap_sentence)
    if report.change:
        add("change", report.change["sentence"])
    halves = [f for f in report.fields if f.stat.estimate is not None]
    if halves:
        add("halves", "Theo khối: " + "; ".join(
            f"{_lower_first(f.label)} {percent(f.stat.estimate)}"
            + ("" if f.reliable else " (chưa đủ tin cậy)") for f in halves) + ".")
    weak = sorted((e for e in report.elements if e.reliable), key=lambda e: e.stat.estimate)[:3]
    if weak:
        add("elements", "Các yếu tố thấp nhất: " + "; ".join(
            f"{e.label} ({percent(e.stat.estimate)})" for e in weak) + ".")
    else:
        add("elements", "Chưa yếu tố nào có ước lượng đủ tin cậy để xếp thấp nhất.")
    sectors = sorted((s for s in report.sectors if s.reliable), key=lambda s: s.index.estimate)[:3]
    if sectors:
        add("sectors", "Các lĩnh vực thủ tục có chỉ số thấp nhất: " + "; ".join(
            f"{s.name} ({percent(s.index.estimate)})" for s in sectors) + ".")
    moved = [row for row in report.localities if row.change and row.change.get("significant")]
    if moved:
        up = [r.name for r in moved if r.change["difference"] > 0]
        down = [r.name for r in moved if r.change["difference"] < 0]
        parts = ([f"tăng có ý nghĩa thống kê ở {', '.join(up)}"] if up else []) + (
            [f"giảm có ý nghĩa thống kê ở {', '.join(down)}"] if down else [])
        add("localities", "So với đợt trước, chỉ số " + "; ".join(parts) + ".")
    wanted = [p for p in report.priorities or () if p.rank is not None][:3]
    if wanted:
        counted = "” hoặc “".join(wanted[0].counted)
        add("priorities", f"Người dân mong muốn cải thiện nhiều nhất (tỷ lệ trả lời “{counted}”): " + "; ".join(
            f"{_lower_first(p.label)} ({percent(p.share.estimate)})" for p in wanted) + ".")
    if report.interim:
        add("interim", f"Đây là số liệu tạm tính, lập lúc {built_when(report.built_at)}; đợt khảo sát chưa kết thúc.")
    return lines
