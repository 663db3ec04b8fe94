"""Free-text answers lose phone numbers, 9- and 12-digit ID numbers and emails before storage."""

import pytest

from survey.scrub import EMAIL_MARK, ID_MARK, PHONE_MARK, scrub_free_text


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
        "",
    ],
)
def test_ordinary_text_is_kept(text):
    assert scrub_free_text(text) == (text, False)


def test_every_occurrence_is_scrubbed():
    clean, scrubbed = scrub_free_text("0912345678, 0987654321 và x@y.vn; CCCD 001099012345")
    assert scrubbed
    assert clean == f"{PHONE_MARK}, {PHONE_MARK} và {EMAIL_MARK}; CCCD {ID_MARK}"
    assert not any(ch.isdigit() for ch in clean)
