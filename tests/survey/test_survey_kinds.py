"""A new index survey is a file, not a project: publish it, open a wave, answer it by QR, report it.

Two questionnaires no code was written for walk the whole path a province's staff would take,
through the same commands and pages as SIPAS: the business-satisfaction survey shipped in
`questionnaires/business-2026.yaml`, and a copy of `sipas-2026.yaml` with a new code, title and
a smaller index tree. Each is published with `flask questionnaire publish`, a wave is created
and opened on the admin's waves page, businesses or citizens answer on the desk QR that names
the survey, and `flask report quarterly` writes HTML, XLSX and JSON with the survey's own index
and elements. The plain desk QR keeps opening the main survey throughout.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.models import QuestionnaireVersion, Response, ServiceCentre, UserRole, Wave, WaveStatus
from survey.questionnaire import QuestionnaireDefinition, load_questionnaire
from survey.reports.wording import percent
from tests.factories import PROJECT_ROOT, SIPAS_FILE, login, make_user
from tests.survey.respond.conftest import Citizen

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = dt.datetime(2026, 10, 20, 9, 0, tzinfo=ZONE)
BUSINESS_FILE = PROJECT_ROOT / "questionnaires" / "business-2026.yaml"
RESPONDENTS = 36
ANSWERS = ["5", "4", "4", "4", "3", "2", "0"]


def _sipas_copy(path: Path) -> Path:
    """sipas-2026.yaml with a new code and title and an index of the service half's first two
    elements only, written as an administrator would after copying the file."""
    data = yaml.safe_load(SIPAS_FILE.read_text(encoding="utf-8"))
    data["code"] = "sipas-copy-2026"
    data["title"] = {"vi": "Khảo sát thử: tiếp cận và thủ tục", "en": "Trial survey: access and procedures"}
    kept = {node["code"]: node for node in data["index"]["nodes"]}
    data["index"]["nodes"] = [
        {"code": "trial", "label": {"vi": "Chỉ số thử", "en": "Trial index"}, "aggregate": "mean",
         "children": ["access", "procedures"]},
        kept["access"], kept["procedures"],
    ]
    copy = path / "sipas-copy-2026.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def _open_wave(admin, session, questionnaire: str, wave_code: str) -> Wave:
    """Create the wave on the admin's waves page and open it, as the province's admin would."""
    version = session.scalar(select(QuestionnaireVersion).join(QuestionnaireVersion.questionnaire)
                             .where(QuestionnaireVersion.questionnaire.has(code=questionnaire)))
    assert admin.get("/admin/waves/new").status_code == 200  # the tests' app takes posts without CSRF tokens
    created = admin.post("/admin/waves/new", data={
        "code": wave_code, "questionnaire_version_id": version.id,
        "opens_on": "2026-10-01", "closes_on": "2026-12-31", "assigned_share": ""})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    wave = session.scalar(select(Wave).where(Wave.code == wave_code))
    assert f'action="/admin/waves/{wave.id}/open"' in admin.get("/admin/waves").get_data(as_text=True)
    assert admin.post(f"/admin/waves/{wave.id}/open").status_code == 302
    session.refresh(wave)
    assert wave.status == WaveStatus.OPEN
    return wave


def _answer(app, centres: list[str], survey: str, questionnaire: QuestionnaireDefinition) -> None:
    """Respondents over four days at three desks: twelve desk-days, so the intervals have df."""
    rng = random.Random(7)
    likert = [item.code for item in questionnaire.likert_items]
    for number in range(RESPONDENTS):
        with time_machine.travel(DAY + dt.timedelta(days=number % 4), tick=True):
            _respond(app, centres[number % 3], survey, questionnaire, {code: rng.choice(ANSWERS) for code in likert})


def _respond(app, centre: str, survey: str, questionnaire: QuestionnaireDefinition, answers: dict) -> None:
    citizen = Citizen(app.test_client(), questionnaire=questionnaire).open(f"/q/{centre}/{survey}")
    assert citizen.status == 200, citizen.html[:300]
    assert _first_item(questionnaire) in citizen.visible_codes()
    done = citizen.finish(answers)
    assert done.status == 303, done.html[:500]


def _first_item(questionnaire: QuestionnaireDefinition) -> str:
    return questionnaire.pages[0].items[0].code


def _strict(text: str):
    def refuse(constant):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(text, parse_constant=refuse)


def _check_report(runner, out: Path, wave_code: str, questionnaire: QuestionnaireDefinition,
                  *options: str) -> dict:
    # --exclude "": one test process answers for everyone, so the quality rules would call it a burst
    result = runner.invoke(args=["report", "quarterly", "--wave", wave_code, "--out", str(out),
                                 "--format", "html,xlsx,json", "--exclude", "", *options])
    assert result.exit_code == 0, result.output
    document = _strict((out / "report.json").read_text(encoding="utf-8"))
    root = questionnaire.index.nodes[0]
    assert document["n"] == RESPONDENTS
    province = document["province"]
    assert list(province["index"]) == [root.code] and province["index"][root.code]["label"] == root.label["vi"]
    assert sorted(province["elements"]) == sorted(node.code for node in questionnaire.index.nodes
                                                  if node.children and node.children[0] in questionnaire.items_by_code)
    for estimate in list(province["index"].values()) + list(province["elements"].values()):
        assert 0 <= estimate["ci_low"] <= estimate["estimate"] <= estimate["ci_high"] <= 1, estimate
    html = (out / "report.html").read_text(encoding="utf-8")
    assert root.label["vi"] in html and "nan" not in html.lower().split()
    for node in questionnaire.index.nodes[1:]:
        assert node.label["vi"] in html, node.code
    workbook = load_workbook(out / "report.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "Ghi chú"
    texts = [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)]
    _check_target(document, html, texts)
    return document


def _check_target(document: dict, html: str, texts: list[str]) -> None:
    """The report compares with the target its survey's file (or `--target`) sets, and with none
    when there is none: no sentence, no row, no caption, no "86%" borrowed from SIPAS."""
    summary = {line["topic"]: line["text"] for line in document["summary"]}
    target = document["target"]
    if target is None:
        assert document["gap"] is None and document["gap_sentence"] is None and "target" not in summary
        assert "mục tiêu" not in html.lower() and 'data-json="gap"' not in html
        assert "86%" not in html and "86,0%" not in html
        assert not [t for t in texts if "mục tiêu" in t.lower() or "86%" in t]
        return
    (index,) = document["province"]["index"].values()
    words = f"mục tiêu {percent(target)}"
    assert document["gap"] == pytest.approx(target - index["estimate"])
    assert words in document["gap_sentence"] and summary["target"] == document["gap_sentence"]
    assert document["gap_sentence"] in html and f"đường chấm đỏ: {words}" in html
    assert f"Khoảng cách tới mục tiêu {target:.0%}" in texts


@pytest.mark.parametrize("case", ["business", "sipas_copy"])
def test_a_new_survey_is_published_opened_answered_and_reported_with_no_code(
        case, app, runner, db_session, tmp_path, block_draw):
    app.config.update(REPORTS_DIR=str(tmp_path / "stored"), JOBS_URL="immediate://")
    path = BUSINESS_FILE if case == "business" else _sipas_copy(tmp_path)
    questionnaire = load_questionnaire(path)
    wave_code = "DN-2026Q4" if case == "business" else "THU-2026Q4"
    with time_machine.travel(DAY, tick=True):
        assert runner.invoke(args=["seed"]).exit_code == 0  # the province's main survey, as `make run` seeds it
        published = runner.invoke(args=["questionnaire", "publish", str(path)])
        assert published.exit_code == 0, published.output
        admin_user = make_user(db_session, "admin-kinds", UserRole.ADMIN)
        db_session.commit()
        admin = app.test_client()
        assert login(admin, admin_user).status_code == 302
        wave = _open_wave(admin, db_session, questionnaire.code, wave_code)
        centres = list(db_session.scalars(select(ServiceCentre.code).order_by(ServiceCentre.code).limit(3)))

        main = Citizen(app.test_client()).open(f"/q/{centres[0]}")  # the plain desk QR: still the main survey
        assert main.status == 200 and _first_item(load_questionnaire(SIPAS_FILE)) in main.visible_codes()
        poster_url = f"/admin/centres/{_centre_id(db_session, centres[0])}/poster?survey={questionnaire.code}"
        if questionnaire.wave_prefix:  # a survey beside the main one: the centres page offers its posters
            centres_page = admin.get("/admin/centres").get_data(as_text=True)
            assert f'href="{poster_url}">Áp phích QR đợt {wave_code}' in centres_page
        poster = admin.get(poster_url)
        assert poster.status_code == 200
        assert f"/q/{centres[0]}/{questionnaire.code}" in poster.get_data(as_text=True)

        _answer(app, centres, questionnaire.code, questionnaire)
        assert db_session.scalar(select(func.count(Response.id)).where(Response.wave_id == wave.id)) == RESPONDENTS
        document = _check_report(runner, tmp_path / "report", wave_code, questionnaire)
        # the businesses' file sets no target; the copy keeps the one sipas-2026.yaml declares
        assert document["target"] == questionnaire.index.target == (None if case == "business" else 0.86)
        overridden = _check_report(runner, tmp_path / "report-80", wave_code, questionnaire, "--target", "0.8")
    assert document["wave"] == wave_code
    assert overridden["target"] == 0.8 and overridden["province"] == document["province"]


def _centre_id(session, code: str) -> int:
    return session.scalar(select(ServiceCentre.id).where(ServiceCentre.code == code))
