"""Issue 23: a roster name with a Cyrillic look-alike letter or a zero-width space made a visually
identical duplicate with its own link. The attacker is whoever prepares the roster file (or
edits it on the way): two links for one leader let one person answer twice."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.models import LeaderInvitation

HEADER = "group,unit,full_name,phone,email\n"


def _import(runner, tmp_path, leader_wave, body: str):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return runner.invoke(args=["leaders", "import", str(path), "--wave", leader_wave.code])


def test_look_alike_names_in_one_file_are_duplicates(runner, db_session, leader_wave, tmp_path):
    result = _import(runner, tmp_path, leader_wave,
                     "lanh_dao_so,Sở Nội vụ,Nguyễn Văn An,,\n"
                     "lanh_dao_so,Sở Nội vụ,Nguyễn Văn \u0410n,,\n"          # Cyrillic А
                     "lanh_dao_so,Sở Nội vụ,Nguyễn\u200b Văn An,,\n"         # zero-width space
                     "lanh_dao_so,Sở N\u043e\u0302\u0323i vụ,Nguyễn Văn An,,\n")  # Cyrillic о in the unit
    assert result.exit_code == 1
    assert result.output.count("trùng với dòng 2") == 3
    assert db_session.scalar(select(func.count()).select_from(LeaderInvitation)) == 0


def test_a_look_alike_of_someone_already_invited_is_refused(runner, db_session, leader_wave, tmp_path):
    assert _import(runner, tmp_path, leader_wave, "lanh_dao_so,Sở Nội vụ,Nguyễn Văn An,,\n").exit_code == 0
    again = _import(runner, tmp_path, leader_wave, "lanh_dao_so,Sở Nội vụ,\u202eNguyễn Văn Аn,,\n")
    assert again.exit_code == 1 and "đã có trong danh sách của đợt này" in again.output
    assert db_session.scalar(select(func.count()).select_from(LeaderInvitation)) == 1


def test_invisible_characters_are_not_stored_in_names(runner, db_session, leader_wave, tmp_path):
    result = _import(runner, tmp_path, leader_wave, "lanh_dao_so,Sở\u200b Nội vụ,Trần\u2066 Thị\u202e Bình,,\n")
    assert result.exit_code == 0, result.output
    stored = db_session.scalar(select(LeaderInvitation))
    assert (stored.unit, stored.full_name) == ("Sở Nội vụ", "Trần Thị Bình")


def test_a_bad_cell_is_repeated_only_as_an_excerpt(runner, db_session, leader_wave, tmp_path):
    """Issue 23: error pages echo at most a short excerpt of a bad cell."""
    result = _import(runner, tmp_path, leader_wave, f"lanh_dao_so,Sở Nội vụ,Nguyễn Văn An,{'9' * 900},{'@' * 900}\n")
    assert result.exit_code == 1
    assert "9" * 40 + "…" in result.output and "9" * 41 not in result.output
    assert "@" * 40 + "…" in result.output and "@" * 41 not in result.output
