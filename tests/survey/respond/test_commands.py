"""`flask questionnaire check|publish`: every problem with its line, and versions never edited."""

from sqlalchemy import func, select

from survey.models import QuestionnaireVersion
from tests.factories import SIPAS_FILE, make_centre, make_response, make_wave


def test_check_accepts_the_shipped_questionnaire(runner):
    result = runner.invoke(args=["questionnaire", "check", str(SIPAS_FILE)])
    assert result.exit_code == 0, result.output
    assert "hợp lệ (sipas-2026, 55 câu hỏi)" in result.output


def test_check_reports_file_line_and_fix(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    text = SIPAS_FILE.read_text(encoding="utf-8").replace("choices: satisfaction", "choices: satisfactoin", 1)
    broken.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "check", str(broken)])
    assert result.exit_code == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "satisfactoin" in row)
    assert f"broken.yaml:{line}:" in result.output
    assert "satisfactoin" in result.output and "Fix:" in result.output


def test_publish_makes_a_new_version_and_never_edits_an_answered_one(runner, db_session, tmp_path):
    wave = make_wave(db_session)
    make_response(db_session, wave, make_centre(db_session), {"tc1": "5"})
    db_session.commit()
    unchanged = runner.invoke(args=["questionnaire", "publish", str(SIPAS_FILE)])
    assert unchanged.exit_code == 0 and "không đổi; đã có trong sipas-2026 v1" in unchanged.output

    edited = tmp_path / "sipas-2026.yaml"
    edited.write_text(SIPAS_FILE.read_text(encoding="utf-8").replace("Rất hài lòng", "Rất hài lòng ", 1)
                      .replace("en: Very satisfied}", "en: Very satisfied!}", 1), encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "publish", str(edited)])
    assert result.exit_code == 0, result.output
    assert "đã công bố thành sipas-2026 v2" in result.output
    versions = db_session.scalar(select(func.count()).select_from(QuestionnaireVersion))
    assert versions == 2
    assert wave.questionnaire_version.number == 1


def test_publish_tells_the_official_in_vietnamese_when_an_answered_version_would_change(
        runner, db_session, monkeypatch):
    """`publish` only adds versions, so this plays a publishing step that edits the answered
    version through the model: the model's own guard refuses, and the official at the command
    line reads which version, why, and what to do, with exit 1 and no traceback."""
    wave = make_wave(db_session)
    make_response(db_session, wave, make_centre(db_session), {"tc1": "5"})
    db_session.commit()
    answered = wave.questionnaire_version

    def publish_over_the_answered_version(session, definition):
        answered.definition = {**answered.definition, "title": {"vi": "Phiếu đã sửa"}}
        session.flush()
        return answered, False

    monkeypatch.setattr("survey.publishing.commands.publish", publish_over_the_answered_version)
    result = runner.invoke(args=["questionnaire", "publish", str(SIPAS_FILE)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert "chưa công bố, không có gì thay đổi" in result.output
    assert "Phiên bản sipas-2026 v1 của phiếu khảo sát đã có người trả lời nên không được sửa" in result.output
    assert "flask --app wsgi questionnaire publish TỆP" in result.output
    db_session.expire_all()
    assert db_session.get(QuestionnaireVersion, answered.id).definition["title"] != {"vi": "Phiếu đã sửa"}
