"""`flask --app wsgi seed` loads Đắk Lắk's places, questionnaires, a wave and an admin, once."""

import pytest
from sqlalchemy import func, select

from survey.models import (
    Locality,
    Questionnaire,
    QuestionnaireVersion,
    ServiceCentre,
    ServiceField,
    User,
    Wave,
)
from survey.quarters import quarter_of
from survey.respond.state import load_state
from survey.setup.seed import LOCALITIES_CSV, SERVICE_FIELDS, read_localities
from tests.survey.respond.conftest import STATE


def _counts(session):
    models = (Locality, ServiceCentre, ServiceField, Questionnaire, QuestionnaireVersion, Wave, User)
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seed_loads_everything_and_is_idempotent(runner, db_session):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "Mật khẩu:" in first.output
    assert "Đã tạo tài khoản quản trị. Tên đăng nhập: admin" in first.output
    assert "Đợt khảo sát hiện tại: " in first.output
    counts = _counts(db_session)
    expected_localities = len(read_localities(LOCALITIES_CSV))
    assert counts["Locality"] == expected_localities == 102
    assert counts["ServiceCentre"] == expected_localities + 1
    assert counts["ServiceField"] == len(SERVICE_FIELDS)
    assert counts["Questionnaire"] >= 1
    assert counts["Wave"] == 1
    assert counts["User"] == 1
    kinds = dict(
        db_session.execute(select(Locality.kind, func.count()).group_by(Locality.kind)).all()
    )
    assert kinds == {"phuong": 14, "xa": 88}

    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "Mật khẩu:" not in second.output
    assert "Tài khoản quản trị 'admin' đã có" in second.output
    assert _counts(db_session) == counts


def test_malformed_localities_file_reports_rows_and_changes_nothing(runner, db_session, tmp_path):
    bad = tmp_path / "localities.csv"
    bad.write_text(
        "code,name,kind\n24001,Xã Một,xa\nABC,Xã Hai,xa\n24003,,thon\n24001,Xã Bốn,xa\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["seed", "--localities", str(bad)])
    assert result.exit_code != 0
    assert "dòng 3, cột code" in result.output
    assert "dòng 4, cột name" in result.output
    assert "dòng 4, cột kind" in result.output
    assert "dòng 5, cột code: 24001 trùng với dòng 2" in result.output
    assert "không có gì thay đổi" in result.output
    assert all(count == 0 for count in _counts(db_session).values())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("code,name,kind\n24001,Xã Một,xa\n".encode("utf-16"), "không phải UTF-8. Hãy lưu tệp dạng CSV UTF-8"),
        (("code,name,kind\n24001," + "X" * 300 + ",xa\n").encode(), "dòng 2, cột name: dài quá 120"),
        (("code,name,kind\n" + "9" * 12 + ",Xã Một,xa\n").encode(), "dòng 2, cột code: dài quá 10"),
    ],
)
def test_unreadable_or_oversized_localities_are_reported_by_row(runner, db_session, tmp_path, content, expected):
    bad = tmp_path / "localities.csv"
    bad.write_bytes(content)
    result = runner.invoke(args=["seed", "--localities", str(bad)])
    assert result.exit_code == 1 and expected in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert all(count == 0 for count in _counts(db_session).values())


def test_missing_localities_file_is_an_argument_error(runner, tmp_path):
    result = runner.invoke(args=["seed", "--localities", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_quarter_boundaries():
    import datetime as dt

    assert quarter_of(dt.date(2026, 11, 24)) == ("2026Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert quarter_of(dt.date(2026, 3, 31)) == ("2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter_of(dt.date(2026, 8, 1))[0] == "2026Q3"


def test_fields_merged_away_in_2025_are_kept_for_history_but_retired(runner, db_session, client):
    """An install seeded before the reorganisation keeps `ldtbxh` rows; new answers use `noi_vu`."""
    from survey.models.places import FIELD_SUCCESSORS, current_field_code

    db_session.add(ServiceField(code="ldtbxh", name="Lao động – Thương binh – Xã hội"))
    db_session.commit()
    assert runner.invoke(args=["seed"]).exit_code == 0
    db_session.expire_all()
    old = db_session.scalar(select(ServiceField).where(ServiceField.code == "ldtbxh"))
    assert old is not None and not old.active
    assert set(FIELD_SUCCESSORS.values()) <= {code for code, _ in SERVICE_FIELDS}
    assert current_field_code("ldtbxh") == "noi_vu" and current_field_code("ho_tich") == "ho_tich"
    centre = db_session.scalar(select(ServiceCentre).where(ServiceCentre.code == "tinh"))
    page = client.get(f"/q/{centre.code}?f=giao_thong").get_data(as_text=True)
    assert load_state(STATE.search(page).group(1)).answers["field"] == "xay_dung"
