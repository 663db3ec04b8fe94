"""Vietnamese labels for every stored code an official may see, with one-line explanations.

Keys are the stored string values, so the table works whether an enumeration is a class of
string constants or a `StrEnum` (whose members compare and hash equal to their values).
Templates use the `label` and `explain` filters (registered by `register`); a code missing
from the table is shown as itself, and `tests/survey/test_labels_crawl.py` fails on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask

# kind → code → (label, explanation or "")
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    # why an estimate is shown as "–" (analysis.results.NOTES); "{n}" is the number of responses
    "estimate_note": {
        "no_answers": ("chưa có phiếu trả lời", ""),
        "missing_part": ("chưa tính được: có phần chưa có phiếu trả lời",
                         "Chỉ số là trung bình của các phần; một phần chưa ai trả lời thì chưa tính được."),
        "one_response": ("chưa đủ dữ liệu: 1 phiếu", "Một phiếu không cho biết sai số."),
        "one_psu": ("chưa đủ dữ liệu: {n} phiếu, chỉ có 1 ngày khảo sát",
                    "Mọi phiếu cùng một bàn, một ngày: chưa đo được mức dao động giữa các ngày."),
        "no_df": ("mỗi địa phương mới có 1 ngày khảo sát: chưa tính được khoảng tin cậy",
                  "Bậc tự do = số ngày khảo sát − số địa phương = 0."),
        "no_previous": ("đợt trước chưa có phiếu ở đây", ""),
        "census": ("toàn bộ nhóm đã trả lời: không có sai số chọn mẫu",
                   "Cả nhóm đều trả lời, con số là giá trị thật của nhóm, không phải ước lượng từ mẫu."),
    },
    "flag": {
        "speeder": ("Trả lời quá nhanh",
                    "Hoàn thành nhanh hơn thời gian tối thiểu để đọc các câu hỏi."),
        "straight_lining": ("Chọn một mức cho mọi câu",
                            "Từ 10 câu thang điểm trở lên đều được chọn cùng một mức."),
        "burst": ("Nhiều phiếu dồn dập",
                  "Hơn 5 phiếu tại cùng trung tâm trong 5 phút: có thể cán bộ điền thay."),
        "outside_hours": ("Ngoài giờ làm việc",
                          "Phiếu quét mã tại quầy nhưng gửi ngoài giờ mở cửa của Bộ phận Một cửa."),
        "repeat_device": ("Thiết bị đã trả lời",
                          "Cùng một điện thoại đã gửi phiếu khác trong đợt này."),
        "scrubbed": ("Đã xoá thông tin cá nhân",
                     "Số điện thoại, số giấy tờ hoặc email trong ý kiến đã được xoá trước khi lưu."),
    },
    # why a response is left out of the analysis: a flag above, or one of these
    "exclusion": {
        "review": ("Bị loại khi xem xét", "Quản trị viên đã đánh dấu loại phiếu ở trang xem xét."),
        "no_centre": ("Không có trung tâm", "Phiếu không gắn với trung tâm nào nên không tính được trọng số."),
        "no_counts": ("Ô không có số hồ sơ", "Trung tâm × lĩnh vực của phiếu không có số hồ sơ đã giải quyết."),
    },
    "channel": {
        "desk": ("Mã QR tại quầy", "Người dân quét mã QR dán tại Bộ phận Một cửa."),
        "receipt": ("Mã QR trên giấy hẹn", "Người dân quét mã dùng một lần in trên giấy hẹn trả kết quả."),
        "leader": ("Đường dẫn mời lãnh đạo", "Lãnh đạo trả lời qua đường dẫn được mời riêng."),
    },
    "role": {
        "admin": ("Quản trị cấp tỉnh", "Sở Nội vụ: xem và quản lý toàn bộ."),
        "officer": ("Cán bộ xã/phường", "Chỉ các trung tâm thuộc xã/phường của mình."),
        "analyst": ("Chuyên viên phân tích", "Chỉ xem và xuất dữ liệu."),
    },
    "wave_status": {
        "draft": ("Bản nháp", "Chưa nhận phiếu."),
        "open": ("Đang mở", "Đang nhận phiếu trong khoảng ngày của đợt."),
        "closed": ("Đã đóng", "Không nhận thêm phiếu."),
    },
    "review_status": {
        "included": ("Giữ lại", "Phiếu được tính trong phân tích."),
        "excluded": ("Loại", "Phiếu không được tính trong phân tích."),
    },
    "review_state": {
        "pending": ("Chưa xem xét", "Chưa có quyết định; phiếu đang được tính trong phân tích."),
        "reviewed": ("Đã xem xét", "Quản trị đã ghi quyết định kèm lý do."),
    },
    "locality_kind": {
        "phuong": ("Phường", ""),
        "xa": ("Xã", ""),
        "province": ("Cấp tỉnh", ""),
    },
    "questionnaire_kind": {
        "citizen": ("Người dân", ""),
        "leader": ("Lãnh đạo", ""),
    },
    "export_format": {
        "csv": ("CSV (UTF-8)", ""),
        "xlsx": ("Excel (XLSX)", ""),
    },
    # the quarterly report's downloads (survey/reports/views.py MEDIA)
    "report_format": {
        "html": ("Báo cáo (HTML, mở bằng trình duyệt)", "Một tệp, xem và in được khi không có mạng."),
        "xlsx": ("Bảng tính Excel (XLSX)", "Mỗi bảng của báo cáo một trang tính, kèm trang ghi chú."),
        "json": ("Dữ liệu cho máy đọc (JSON)", "Mọi con số của báo cáo, cho phần mềm khác đọc."),
    },
    "audit_action": {
        "login": ("Đăng nhập", ""),
        "login_failed": ("Đăng nhập không thành công", ""),
        "logout": ("Đăng xuất", ""),
        "password_change": ("Đổi mật khẩu", ""),
        "user_create": ("Tạo tài khoản", ""),
        "user_update": ("Sửa tài khoản", ""),
        "user_password_reset": ("Cấp lại mật khẩu", ""),
        "centre_create": ("Thêm trung tâm", ""),
        "centre_rename": ("Đổi tên trung tâm", ""),
        "centre_activate": ("Cho trung tâm hoạt động lại", ""),
        "centre_deactivate": ("Ngừng hoạt động trung tâm", ""),
        "field_save": ("Lưu lĩnh vực", ""),
        "wave_create": ("Tạo đợt khảo sát", ""),
        "wave_open": ("Mở đợt khảo sát", ""),
        "wave_close": ("Đóng đợt khảo sát", ""),
        "questionnaire_publish": ("Xuất bản phiếu khảo sát", ""),
        "recording_upload": ("Tải lên tệp ghi âm câu hỏi", ""),
        "receipt_batch_issue": ("Phát hành mã biên nhận", ""),
        "receipt_sheet_print": ("In tờ mã biên nhận", ""),
        "counts_upload": ("Tải lên số hồ sơ", ""),
        "export_responses": ("Xuất phiếu trả lời", ""),
        "response_review": ("Xem xét phiếu", ""),
        "view_responses": ("Xem phiếu từng người", "Mở trang có câu trả lời của từng phiếu."),
        "export_aggregates": ("Xuất bảng tổng hợp", ""),
        "password_change_failed": ("Đổi mật khẩu không thành công", "Nhập sai mật khẩu hiện tại."),
        "session_idle_end": ("Hết phiên do không hoạt động", ""),
        "user_sessions_end": ("Kết thúc mọi phiên đăng nhập", ""),
        "digest_publish": ("Công bố tổng hợp ý kiến", ""),
        "coarsen_times": ("Làm thô thời điểm gửi phiếu", "Cắt thời điểm gửi về khung giờ theo quy tắc lưu giữ."),
        "leaders_import": ("Nhập danh sách lãnh đạo", ""),
        "leaders_invitations": ("Phát hành thư mời lãnh đạo", ""),
    },
    "audit_detail": {
        "old": ("Trước", ""),
        "new": ("Sau", ""),
        "reason": ("Lý do", ""),
        "flags": ("Cờ chất lượng", ""),
        "count": ("Số mã", ""),
        "field": ("Lĩnh vực", ""),
        "rows": ("Số dòng", ""),
        "added": ("Thêm mới", ""),
        "updated": ("Cập nhật", ""),
        "format": ("Định dạng", ""),
        "scope": ("Phạm vi", ""),
        "name": ("Tên", ""),
        "locality_id": ("Xã/phường (số hiệu)", ""),
        "locality": ("Xã/phường", ""),
        "code": ("Mã", ""),
        "sort_order": ("Thứ tự", ""),
        "active": ("Đang hoạt động", ""),
        "checksum": ("Mã kiểm tra", ""),
        "role": ("Vai trò", ""),
        "username": ("Tài khoản", ""),
        "batch": ("Lô", ""),
        "responses": ("Số phiếu", ""),
        "path": ("Đường dẫn", ""),
    },
    "audit_target": {
        "admin.review_queue": ("Hàng đợi xem xét", ""),
        "admin.response_detail": ("Chi tiết một phiếu", ""),
        "admin.centre_responses": ("Danh sách phiếu của trung tâm", ""),
        "admin.digest_edit": ("Tổng hợp ý kiến", ""),
    },
    "audit_reason": {
        "locked": ("tài khoản đang tạm khoá", ""),
        "bad_credentials": ("sai tên đăng nhập hoặc mật khẩu", ""),
    },
}

# Detail values that are themselves codes of a known kind, by detail key.
DETAIL_VALUE_KINDS = {
    "flags": "flag", "role": "role", "format": "export_format", "reason": "audit_reason",
}
# Values of old/new in these actions are codes of a known kind.
ACTION_VALUE_KINDS = {
    "response_review": "review_status", "wave_open": "wave_status", "wave_close": "wave_status",
}


def label(code: Any, kind: str) -> str:
    """The Vietnamese label of `code`, or the code itself when the table lacks it."""
    if code is None:
        return ""
    entry = LABELS[kind].get(str(code))
    return entry[0] if entry else str(code)


def exclusion_text(code: str) -> str:
    """A reason for leaving a response out, in Vietnamese: a quality flag or an exclusion."""
    return label(code, "flag" if code in LABELS["flag"] else "exclusion")


def note_text(note: str | None, n: int = 0) -> str | None:
    """Why an estimate or its interval is missing, in Vietnamese; ``None`` when nothing is."""
    if note is None:
        return None
    return label(note, "estimate_note").replace("{n}", f"{n:,}".replace(",", "."))


def explain(code: Any, kind: str) -> str:
    """The one-line explanation of `code` ("" when there is none)."""
    entry = LABELS[kind].get(str(code)) if code is not None else None
    return entry[1] if entry else ""


def options(kind: str, codes: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select box, in the table's order or in `codes`' order."""
    chosen = LABELS[kind] if codes is None else codes
    return [(str(code), label(code, kind)) for code in chosen]


def _scope_text(value: Any) -> str:
    """An export's scope: everything, or one locality (stored as `locality:<id>`)."""
    text = str(value)
    if text == "all":
        return "toàn bộ"
    if text.startswith("locality:"):
        return f"một xã/phường (số hiệu {text.partition(':')[2]})"
    return text


def _value_text(value: Any, kind: str | None) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_text(v, kind) for v in value) or "không có"
    return label(value, kind) if kind else str(value)


def audit_detail(detail: Mapping[str, Any] | None, action: str = "") -> list[tuple[str, str]]:
    """An audit entry's detail as readable (label, value) pairs, codes translated."""
    pairs = []
    for key, value in (detail or {}).items():
        kind = DETAIL_VALUE_KINDS.get(key)
        if key in ("old", "new"):
            kind = ACTION_VALUE_KINDS.get(action)
        text = _scope_text(value) if key == "scope" else _value_text(value, kind)
        pairs.append((label(key, "audit_detail"), text))
    return pairs


def register(app: Flask) -> None:
    """Make `label`, `explain` and `audit_detail` available to every template."""
    app.add_template_filter(label, "label")
    app.add_template_filter(explain, "explain")
    app.add_template_filter(audit_detail, "audit_detail")
    app.add_template_global(LABELS, "LABELS")
