"""Free-text answers lose phone numbers, 9- and 12-digit ID numbers and emails before storage."""

import pytest

from survey.questionnaire.scrub import EMAIL_MARK, ID_MARK, PHONE_MARK, scrub_free_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gọi tôi 0912345678 nhé", f"Gọi tôi {PHONE_MARK} nhé"),
        ("SĐT: +84 912 345 678.", f"SĐT: {PHONE_MARK}."),
        ("số 84912345678", f"số {PHONE_MARK}"),
        ("0912.345.678 hoặc 0912-345-678", f"{PHONE_MARK} hoặc {PHONE_MARK}"),
        ("(+84) 912 345 678", PHONE_MARK),
        ("bàn 0262 3852 123", f"bàn {PHONE_MARK}"),
        ("CMND 123456789", f"CMND {ID_MARK}"),
        ("CCCD 066123456789 của tôi", f"CCCD {ID_MARK} của tôi"),
        ("CCCD 066 123 456 789", f"CCCD {ID_MARK}"),
        ("email nguyen.van.a+ks@gmail.com.vn.", f"email {EMAIL_MARK}."),
        ("Liên hệ a_b@so-noivu.daklak.gov.vn", f"Liên hệ {EMAIL_MARK}"),
        # digits glued to letters, "đ/c" (đồng chí) and a trailing "đ" are no cover for a phone
        ("Gọi SĐT0912345678 nhé", f"Gọi SĐT{PHONE_MARK} nhé"),
        ("sdt 0912345678 đ/c Lan", f"sdt {PHONE_MARK} đ/c Lan"),
        ("số 0912345678đ", f"số {PHONE_MARK}đ"),
        ("0912  345  678", PHONE_MARK),
        ("phone 0912,345,678", f"phone {PHONE_MARK}"),
        ("0912 - 345 - 678", PHONE_MARK),
        ("CMND 123456789 đ/c Lan", f"CMND {ID_MARK} đ/c Lan"),
        ("sdt 912345678 đồng chí Lan", f"sdt {ID_MARK} đồng chí Lan"),
        ("CCCD066123456789", f"CCCD{ID_MARK}"),
        # an ID number's length not grouped in thousands is taken as an ID, currency word or not
        ("123456789 đồng", f"{ID_MARK} đồng"),
        # issue 23: what people do to slip a number or an address past a filter
        ("gọi 09l2345678 nhé", f"gọi {PHONE_MARK} nhé"),
        ("gọi 09I2 345 6O8 nhé", f"gọi {PHONE_MARK} nhé"),
        ("sdt O912345678", f"sdt {PHONE_MARK}"),
        ("0912–345–678", PHONE_MARK),
        ("0912 — 345 — 678", PHONE_MARK),
        ("0912\u2212345\u2212678", PHONE_MARK),
        ("0912/345/678", PHONE_MARK),
        ("số 0\u200b9\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8", f"số {PHONE_MARK}"),
        ("0912\u2060345\ufeff678", PHONE_MARK),
        ("nguyenvana [at] gmail [dot] com", EMAIL_MARK),
        ("thư: nguyen.van.a(at)gmail(dot)com.vn nhé", f"thư: {EMAIL_MARK} nhé"),
        ("an {AT} yahoo.com", EMAIL_MARK),
        ("an a còng gmail chấm com", EMAIL_MARK),
        ("an[at]so-noivu[dot]daklak[dot]gov[dot]vn.", f"{EMAIL_MARK}."),
    ],
)
def test_personal_data_is_replaced_and_noted(text, expected):
    assert scrub_free_text(text) == (expected, True)


@pytest.mark.parametrize(
    "text",
    [
        "Cán bộ rất nhiệt tình, chờ 15 phút.",
        "Nộp hồ sơ ngày 12/05/2026 lúc 8:30, phí 150.000.000 đồng",
        "Mã hồ sơ 12345678 trả đúng hẹn",
        "năm 2025 và 2026",
        "năm 2023, 2024, 2025",
        "giai đoạn 2020 - 2025, đã giải quyết 1.234 hồ sơ",
        "Lệ phí 500.000đ, tiền đất 1.200.000 đồng",
        "Giá đất 1.500.000.000đ/m2",
        "Bồi thường 150,000,000 VNĐ",
        "Bồi thường 150 000 000 đồng",
        "Hỗ trợ 25 triệu đồng/năm",
        "Hẹn ngày 12/05/2026 10 giờ, phòng 1l2",
        "giai đoạn 2020–2025, mẫu số 01/2024/TT-BNV",
        "Tôi ở tổ 10, ấp 3 (at the back)",
        "",
    ],
)
def test_ordinary_text_is_kept(text):
    assert scrub_free_text(text) == (text, False)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
                                       "\u202e", "\u202d", "\u202a", "\u2066", "\u2069", "\u200f"])
def test_invisible_and_bidirectional_characters_are_removed(invisible):
    """Issue 23: right-to-left overrides and zero-width characters were stored verbatim."""
    text = f"Cán bộ {invisible}rất nhiệt{invisible} tình"
    assert scrub_free_text(text) == ("Cán bộ rất nhiệt tình", False)


def test_every_occurrence_is_scrubbed():
    clean, scrubbed = scrub_free_text("0912345678, 0987654321 và x@y.vn; CCCD 001099012345")
    assert scrubbed
    assert clean == f"{PHONE_MARK}, {PHONE_MARK} và {EMAIL_MARK}; CCCD {ID_MARK}"
    assert not any(ch.isdigit() for ch in clean)
