"""Page chrome in each language the citizen can choose (the questionnaire carries its own text)."""

from __future__ import annotations

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

CHROME = {
    "vi": {
        "page_of": "Trang {current}/{total}",
        "optional_part": "Phần tự chọn",
        "next": "Tiếp tục",
        "back": "Quay lại",
        "submit": "Gửi phiếu",
        "optional": "Trả lời thêm phần tự chọn",
        "submit_now": "Gửi phiếu ngay",
        "fix_errors": "Vui lòng trả lời các câu được đánh dấu bên dưới.",
        "new_items": "Vui lòng trả lời thêm các câu vừa hiện ra.",
        "expired": "Phiên làm việc đã hết hạn trong lúc Anh/Chị chờ. Các câu trả lời vẫn được giữ nguyên; vui lòng bấm nút một lần nữa.",
        "centre": "Nơi giao dịch",
        "anonymous": "Phiếu không ghi tên. Câu trả lời chỉ dùng để nâng cao chất lượng phục vụ.",
        "thanks_title": "Xin cảm ơn Anh/Chị!",
        "thanks_body": "Phiếu khảo sát đã được ghi nhận. Ý kiến của Anh/Chị giúp cơ quan hành chính phục vụ tốt hơn.",
        "used_title": "Phiếu này đã được trả lời",
        "used_body": "Mã QR trên giấy hẹn chỉ dùng cho một phiếu và đã được sử dụng. Xin cảm ơn Anh/Chị đã tham gia!",
        "closed_title": "Đợt khảo sát chưa mở hoặc đã kết thúc",
        "closed_body": "Hiện không có đợt khảo sát nào đang mở tại nơi này. Câu trả lời chưa được lưu. Xin cảm ơn Anh/Chị đã quan tâm!",
        "invalid_title": "Mã QR không hợp lệ",
        "invalid_body": "Không đọc được mã QR này. Vui lòng quét lại mã trên bàn tiếp nhận hoặc hỏi cán bộ một cửa.",
        "language": "Ngôn ngữ",
    },
    "en": {
        "page_of": "Page {current} of {total}",
        "optional_part": "Optional part",
        "next": "Next",
        "back": "Back",
        "submit": "Submit",
        "optional": "Answer the optional part",
        "submit_now": "Submit now",
        "fix_errors": "Please answer the questions marked below.",
        "new_items": "Please also answer the questions that have just appeared.",
        "expired": "Your session expired while you waited. Your answers are kept; please press the button again.",
        "centre": "Service centre",
        "anonymous": "The survey is anonymous. Answers are used only to improve the service.",
        "thanks_title": "Thank you!",
        "thanks_body": "Your answers have been recorded. They help public services improve.",
        "used_title": "This survey has already been answered",
        "used_body": "The QR code on the receipt is for one survey only and has been used. Thank you for taking part!",
        "closed_title": "The survey is not open",
        "closed_body": "No survey round is open here at the moment. Your answers were not stored. Thank you for your interest!",
        "invalid_title": "Invalid QR code",
        "invalid_body": "This QR code could not be read. Please scan the code on the desk again or ask the staff.",
        "language": "Language",
    },
}


def chrome(language: str) -> dict[str, str]:
    """Chrome strings for `language`, Vietnamese when it is not offered."""
    return CHROME.get(language, CHROME["vi"])


def pick_language(requested: str | None) -> str:
    return requested if requested in LANGUAGES else "vi"
