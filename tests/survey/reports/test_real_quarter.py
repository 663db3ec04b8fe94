"""A quarter lived through the citizen form: every output at day 1, day 7 and day 90, then closed.

Citizens arrive over HTTP in arrival order with the clock moved to each day (time-machine): a few
at three desks on day 1, thin communes by day 7, a quarter by day 90; most send as soon as they
may, some leave items at "Không trả lời"; dossier counts arrive only before day 90. At each
checkpoint every output is built (the report command's HTML, XLSX and JSON, the web report and
its build button, the monitor, an officer's summary, the export and `python -m analysis`) and
checked as an official would need it: no exception, strict JSON, every interval inside its
bounds, no SE from fewer than 2 answers, effective n never above n, every "–" with its reason,
and "Số liệu tạm tính" until the wave has closed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from survey.models import Locality, UserRole, Wave, WaveStatus
from tests.factories import PROJECT_ROOT, login, make_user
from tests.survey.respond.conftest import QUESTIONNAIRE, Citizen

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
WAVE = "2026Q4"
FIRST_DAY = dt.date(2026, 10, 1)
LIKERT = [item.code for item in QUESTIONNAIRE.items if item.type == "likert"]
ANSWERS = ["5", "4", "4", "4", "4", "3", "2", "0"]  # about 70% satisfied; "0" = Không trả lời
INTERIM = "Số liệu tạm tính"
NOT_A_NUMBER = re.compile(r"\bnan\b|–%\s*–|–%–|\binf\b", re.IGNORECASE)


def _at(day: dt.date, hour: int = 9, minutes: int = 0):
    start = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZONE) + dt.timedelta(minutes=minutes)
    return time_machine.travel(start, tick=True)


def _arrivals(rng: random.Random, centres: list[str]) -> dict[int, list[str]]:
    """Day number (1 = the first day) -> the centres of that day's respondents, in order."""
    plan = {1: ["22015"] * 3 + ["22051"] * 2 + [centres[5]] * 2}
    for day in range(2, 8):  # the first week: a few desks a day, one to three people each
        plan[day] = [c for c in rng.sample(centres[:20], 3) for _ in range(rng.randint(1, 3))]
    for day in range(8, 91, 6):  # the rest of the quarter, thinly: many communes stay under 10
        plan[day] = [c for c in rng.sample(centres, 8) for _ in range(rng.randint(1, 4))]
    return plan


REQUIRED = {item.code for item in QUESTIONNAIRE.items if item.required}
SKIPPERS = 0.6  # most citizens leave blank every question they may leave blank


def _respond(app, centre: str, rng: random.Random) -> None:
    """One citizen on their own phone (a new client: its own device cookie)."""
    skips = rng.random() < SKIPPERS
    answers = {code: rng.choice(ANSWERS) for code in LIKERT}
    if skips:
        answers.update({item.code: None for item in QUESTIONNAIRE.items if item.code not in REQUIRED})
    citizen = Citizen(app.test_client()).open(f"/q/{centre}")
    assert citizen.status == 200, citizen.html[:300]
    citizen.finish(answers)
    assert citizen.status == 303, citizen.html[:500]


def _strict(text: str):
    def refuse(constant):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(text, parse_constant=refuse)


def _check_stat(stat: dict, where: str, upper: float = 1.0) -> None:
    """One estimate record of report.json: bounds, SE rule, effective n, reason for every gap."""
    estimate, low, high, n = stat.get("estimate"), stat.get("ci_low"), stat.get("ci_high"), stat.get("n")
    if low is not None or high is not None:
        assert low is not None and high is not None, where
        assert 0 <= low <= high <= upper, (where, stat)
        if estimate is not None:
            assert low - 1e-12 <= estimate <= high + 1e-12, (where, stat)
    if n is not None and n < 2:
        assert stat.get("se") is None and low is None and stat.get("cv") is None, (where, stat)
    if stat.get("effective_n") is not None:
        assert stat["effective_n"] <= n + 1e-9, (where, stat)
    if "estimate" in stat and (low is None or estimate is None):
        assert stat.get("note"), (where, stat)
        assert stat.get("note_text"), (where, stat)


def _walk(node, where: str = "") -> int:
    """Check every estimate record in the document; return how many were checked."""
    checked = 0
    if isinstance(node, dict):
        if "ci_low" in node and "estimate" in node:
            _check_stat(node, where)
            checked += 1
        for key, value in node.items():
            if key in ("method", "trend", "change", "drivers", "small_area_method"):
                continue
            checked += _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for k, value in enumerate(node):
            checked += _walk(value, f"{where}[{k}]")
    return checked


def _check_report_files(out, interim: bool) -> dict:
    document = _strict((out / "report.json").read_text(encoding="utf-8"))
    assert document["interim"] is interim
    assert dt.datetime.fromisoformat(document["built_at"]).tzinfo is not None
    assert _walk(document) > 20
    headline = document["province"]["index"][next(iter(document["province"]["index"]))]
    assert "reliable" in headline and "reasons" in headline
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not NOT_A_NUMBER.search(re.sub(r"<[^>]+>", " ", html)), NOT_A_NUMBER.search(html)
    assert (INTERIM in html) is interim
    synthetic = [r for r in document["localities"] if "small_area_synthetic" in r.get("extra", {})]
    assert ("chỉ từ mô hình: chưa có phiếu" in html) is bool(synthetic)
    for row in document["localities"]:
        for key in ("small_area", "small_area_synthetic"):
            if key in row.get("extra", {}):
                _check_stat(row["extra"][key], f"{row['code']}.{key}")
    book = load_workbook(out / "report.xlsx", read_only=True)
    for sheet in book.worksheets:
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert not any(NOT_A_NUMBER.search(c) for c in cells), (sheet.title, [c for c in cells
                                                                               if NOT_A_NUMBER.search(c)][:3])
        if sheet.title != "Charts":
            assert any(INTERIM in c for c in cells) is interim, sheet.title
    return document


def _check_page(staff, path: str) -> str:
    response = staff.get(path)
    assert response.status_code == 200, (path, response.status_code)
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    assert not NOT_A_NUMBER.search(text), (path, NOT_A_NUMBER.search(text))
    return text


def _check_outputs(runner, app, staff, officer, tmp_path, label: str, interim: bool) -> dict:
    out = tmp_path / label
    result = runner.invoke(args=["report", "quarterly", "--wave", WAVE, "--out", str(out),
                                 "--format", "html,xlsx,json"])
    assert result.exit_code == 0, result.output
    summary_line = result.output.strip().splitlines()[-1]
    assert not NOT_A_NUMBER.search(summary_line) and "––" not in summary_line, summary_line
    assert ("số liệu tạm tính" in summary_line) is interim
    document = _check_report_files(out, interim)
    _show(label, document)
    built = staff.post(f"/admin/reports/{WAVE}/build")  # huey's immediate mode: built in the click
    assert built.status_code in (200, 302, 303), built.status_code
    web = _check_page(staff, f"/admin/reports/{WAVE}")
    assert (INTERIM in web) is interim
    assert f"đợt {WAVE}" in web and "Tóm tắt cho lãnh đạo" in web, web[:400]
    stored = staff.get(f"/admin/reports/{WAVE}/report.json")  # the one the button built
    assert stored.status_code == 200
    from_web = _strict(stored.get_data(as_text=True))
    assert (from_web["n"], from_web["interim"]) == (document["n"], interim) and _walk(from_web) > 20
    if interim:
        _check_page(staff, f"/admin/monitor?wave={WAVE}")
    _check_page(officer, f"/admin/summary?wave={WAVE}")
    export = tmp_path / f"{label}.csv"
    tree = tmp_path / f"{label}-tree.json"
    for args in (["export", "responses", "--wave", WAVE, "--format", "csv", "--out", str(export)],
                 ["export", "index-tree", "--questionnaire", "sipas-2026", "--out", str(tree)]):
        done = runner.invoke(args=args)
        assert done.exit_code == 0, done.output
    done = subprocess.run([sys.executable, "-m", "analysis", "index", str(export), "--tree", str(tree),
                           "--weight", "design_weight", "--strata", "stratum", "--cluster", "psu",
                           "--by", "locality_code", "--format", "json"],
                          capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    for record in _strict(done.stdout):
        if record["ci_low"] is not None:
            assert 0 <= record["ci_low"] <= record["ci_high"] <= 1, record
        else:
            assert record["note"], record
        if record["n"] < 2:
            assert record["se"] is None, record
    return document


def _show(label: str, document: dict) -> None:
    """With SHOW_QUARTER=1 (and pytest -s), print what an official sees: the figures of issue 21's note."""
    if not os.environ.get("SHOW_QUARTER"):
        return
    keys = ("n", "df", "weighted", "interim", "gap_sentence", "weakest_left_out")
    print(label, json.dumps({k: document[k] for k in keys}, ensure_ascii=False))
    for group in ("index", "fields", "elements"):
        for code, node in document["province"][group].items():
            print("  ", code, {k: node[k] for k in ("estimate", "ci_low", "ci_high", "n", "effective_n",
                                                    "reliable", "note_text")})
    rows = [r for r in document["localities"] if r["n"] > 0]
    print("   localities with responses:", len(rows), "reliable:", sum(r["reliable"] for r in rows),
          "notes:", dict(Counter(r["index"]["note"] for r in rows)))


def _fill_counts(runner, tmp_path) -> None:
    """The officials' dossier counts for the quarter: every centre x field, arriving late."""
    template = tmp_path / "counts.xlsx"
    assert runner.invoke(args=["counts", "template", "--out", str(template), "--quarter", WAVE]).exit_code == 0
    book = load_workbook(template)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    column = next(i for i, name in enumerate(header, 1) if name and "hồ sơ" in str(name).lower())
    rng = random.Random(7)
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value=rng.randint(5, 400))
    book.save(template)
    result = runner.invoke(args=["counts", "import", str(template), "--quarter", WAVE])
    assert result.exit_code == 0, result.output


def test_a_quarter_from_day_one_to_close(app, client, runner, db_session, tmp_path, block_draw):
    app.config.update(REPORTS_DIR=str(tmp_path / "stored"), JOBS_URL="immediate://")
    block_draw.seeded(21)  # the policy block drawn for about one respondent in three, reproducibly
    with _at(FIRST_DAY, 8):
        assert runner.invoke(args=["seed"]).exit_code == 0
    wave = db_session.scalar(select(Wave).where(Wave.code == WAVE))
    assert wave is not None and wave.opens_on == FIRST_DAY
    locality = db_session.scalar(select(Locality).where(Locality.code == "22015"))
    admin = make_user(db_session, "analyst-q", UserRole.ADMIN)
    officer_user = make_user(db_session, "officer-q", UserRole.OFFICER, locality)
    db_session.commit()
    staff, officer = app.test_client(), app.test_client()
    with _at(FIRST_DAY, 8):  # before the first citizen: the report says so, in Vietnamese
        empty = runner.invoke(args=["report", "quarterly", "--wave", WAVE, "--out", str(tmp_path / "none")])
        assert empty.exit_code == 1 and f"Đợt {WAVE} chưa có phiếu nào để lập báo cáo." in empty.output
    centres = sorted(c for c in _centre_codes(db_session) if c != "tinh")
    rng = random.Random(2026)
    plan = _arrivals(rng, centres)
    seen: dict[str, dict] = {}
    for day_number in sorted(plan):
        day = FIRST_DAY + dt.timedelta(days=day_number - 1)
        if day_number == 86:  # the dossier counts arrive late in the quarter
            _fill_counts(runner, tmp_path)
        for k, centre in enumerate(plan[day_number]):
            with _at(day, 8, 13 * k):  # a citizen every quarter of an hour or so, through the day
                _respond(app, centre, rng)
        checkpoint = {1: "day1", 7: "day7", 86: "day90"}.get(day_number)
        if checkpoint:
            with _at(day, 17):
                for who in (staff, officer):
                    who.cookie_jar.clear() if hasattr(who, "cookie_jar") else None
                assert login(staff, admin).status_code == 302
                assert login(officer, officer_user).status_code == 302
                seen[checkpoint] = _check_outputs(runner, app, staff, officer, tmp_path, checkpoint, True)
    day1, day7, day90 = seen["day1"], seen["day7"], seen["day90"]
    assert day1["n"] == 7 and day1["df"] == 0
    headline = day1["province"]["index"][next(iter(day1["province"]["index"]))]
    assert headline["ci_low"] is None and headline["note"] in ("no_df", "missing_part")
    assert headline["note_text"] and not headline["reliable"]
    assert day7["n"] > day1["n"] and day90["n"] > day7["n"]
    assert day90["weighted"] is True and day1["weighted"] is False
    # a third drawn for the policy block, most of them leaving it blank: still an index by day 90
    policy, index = day90["province"]["fields"]["policy"], day90["province"]["index"]["sipas"]
    assert 0 < policy["n"] < 0.5 * day90["n"]
    assert index["ci_low"] < index["estimate"] < index["ci_high"]
    with _at(dt.date(2027, 1, 2), 9):
        wave = db_session.scalar(select(Wave).where(Wave.code == WAVE))
        wave.status = WaveStatus.CLOSED
        db_session.commit()
        assert login(staff, admin).status_code == 302
        assert login(officer, officer_user).status_code == 302
        closed = _check_outputs(runner, app, staff, officer, tmp_path, "closed", False)
    assert closed["n"] == day90["n"]


def _centre_codes(session) -> list[str]:
    from survey.models import ServiceCentre

    return list(session.scalars(select(ServiceCentre.code).where(ServiceCentre.active.is_(True))))
