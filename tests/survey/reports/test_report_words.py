"""The citizens' quarterly report reads in Vietnamese: no code, no English word, no decimal point.

Officials read report.html and report.xlsx, not the JSON. This test builds the report of a
demo wave with a previous wave (so the change columns exist), then reads every visible text
node of the HTML (element text, `title`, `alt`, `aria-label`; not `<code>`, not URLs, not the
`data-*` attributes the numbers check reads) and every text cell of every sheet (numeric cells
and cells with a numeric format are numbers Excel formats itself). A text fails when it holds:

- a stored code: a questionnaire item (`tc1`), an index node (`access`), a service field
  (`dat_dai`), a flag or exclusion (`burst`, `no_counts`), or any other code of
  `survey.labels.LABELS`;
- an English word that would betray an untranslated label (ENGLISH);
- a number written with a decimal point ("81.5"): Vietnamese writes "81,5".

A column headed exactly "Mã" (code) is a reference an analyst needs to join the sheet to other
data, so its cells may hold codes; nothing else may. A wave's code ("DEMO-2026Q4") is the name
the province gave the wave and is read as such. The web page of the report (what an analyst
opens under /admin/reports/) is read the same way as the file, and so is every text drawn on
the charts. The same checks run on the reports of a quarter's first hours (the cuts of
test_tiny_waves.py), where most figures are missing and their reasons are what an official reads.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bench.report_frame import localities, make_frame
from survey.labels import LABELS
from survey.models import Locality, ServiceCentre, UserRole
from survey.models.places import LocalityName as ReportLocality
from survey.questionnaire import load_questionnaire
from survey.reports.build import PreviousWave, build_report
from survey.reports.charts import render_all
from survey.reports.data import item_labels
from survey.reports.render import to_html, to_xlsx
from tests.factories import SIPAS_FILE
from tests.survey.reports.test_tiny_waves import CASES
from tests.survey.test_labels_crawl import UNTRANSLATED

# English words that a report's untranslated label, header or value would show, beside the
# staff pages' list: the report's own vocabulary (tables, statistics, the JSON's keys).
ENGLISH = UNTRANSLATED | {
    "index", "share", "weighted", "unweighted", "sector", "sectors", "locality", "localities",
    "change", "null", "nan", "inf", "estimate", "stratum", "strata", "element", "elements",
    "item", "items", "rank", "group", "reliable", "unreliable", "previous", "difference",
    "significant", "summary", "priority", "priorities", "channel", "channels", "gender", "age",
    "ethnicity", "education", "occupation", "comments", "quality", "coverage", "drivers",
    "odds", "ratio", "interval", "confidence", "level", "weight", "weights", "model", "direct",
    "synthetic", "province", "provincial", "target", "gap", "note", "notes", "reason",
    "excluded", "kept", "stored", "dossiers", "small", "area", "label", "code", "other", "unknown",
    "male", "female", "demo", "interim", "built", "trend", "map", "chart", "best", "worst",
}
# Names the method appendix cites as they are written in their own literature (an R function
# and package, the authors of a method, an agency, a linearisation) and the standard
# abbreviations the report defines where it first uses them. Matched as whole words, case and all.
# (R code itself is in <code> and a cited book's title in <cite>: neither is read.)
LITERATURE = {
    "svyciprop", "survey", "R", "Korn", "Graubard", "Fay", "Herriot", "NCHS", "Taylor", "EBLUP", "MSE",
    "deff", "CV", "PSU",
    "PAR", "Index",  # "PAR Index", the Ministry's own name of the administrative reform index
}
# Choice codes that are also plain Vietnamese words ("kinh tế", "mong muốn", "Việt Nam") and so
# cannot be told apart from text.
VIETNAMESE_WORDS = {"xa", "nam", "kinh", "mong", "tay", "dao", "thai", "nung", "co", "tinh"}  # "tinh thần": a word
# A number with a point in it ("81.5", "0.448") is an English decimal, unless it is an integer
# grouped in thousands the Vietnamese way ("20.795", "1.234.567": no leading zero, groups of 3).
NUMBER_WITH_POINT = re.compile(r"\d+(?:\.\d+)+")
THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
# The one column whose cells are codes by design: the reference an analyst joins on.
CODE_COLUMN = "Mã"


def known_codes(places: set[str] = frozenset()) -> set[str]:
    """Every code an official must not see: LABELS' codes, the questionnaire's items, index nodes and
    choices (service fields, groups, priorities), and the given locality and centre codes."""
    questionnaire = load_questionnaire(SIPAS_FILE)
    codes = {code for table in LABELS.values() for code in table}
    codes |= set(questionnaire.items_by_code)
    codes |= {node.code for node in questionnaire.index.nodes}
    codes |= {choice.value for choices in questionnaire.choice_lists.values() for choice in choices.choices
              if not choice.value.isdigit()}
    return (codes | set(places)) - VIETNAMESE_WORDS


def problems_in(text: str, codes: set[str], waves: set[str] = frozenset()) -> list[str]:
    """Codes, English words and decimal points in one text, each named once; wave codes are names."""
    for wave in waves:
        text = text.replace(wave, " ")
    found = []
    words = set(re.findall(r"[A-Za-z0-9_]+", text))
    found += sorted(f"code {c!r}" for c in (codes & words) - LITERATURE)
    english = " ".join(w.lower() for w in re.findall(r"[A-Za-z0-9_]+", text) if w not in LITERATURE)
    found += sorted(f"English {w!r}" for w in ENGLISH if re.search(rf"\b{w}\b", english))
    found += [f"decimal point {m!r}" for m in NUMBER_WITH_POINT.findall(text) if not THOUSANDS.fullmatch(m)]
    return found


class _ReportText(HTMLParser):
    """Visible text of a page: element text and the attributes a reader or screen reader meets."""

    SKIP = {"script", "style", "code", "cite"}
    READ = ("title", "alt", "aria-label", "placeholder")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        self.parts += [value for name, value in attrs if name in self.READ and value]

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(data.strip())


def html_problems(html: str, codes: set[str], waves: set[str], least: int = 200) -> dict[str, list[str]]:
    """Problems per visible text node of the HTML (of which there must be more than `least`)."""
    parser = _ReportText()
    parser.feed(html)
    assert len(parser.parts) > least, "the report has almost no text to read"
    return {text: found for text in parser.parts if (found := problems_in(text, codes, waves))}


def _numeric(cell) -> bool:
    return isinstance(cell.value, (int, float)) or (cell.number_format not in ("General", "@")
                                                     and any(ch in cell.number_format for ch in "0#"))


def xlsx_problems(book, codes: set[str], waves: set[str]) -> dict[str, list[str]]:
    """Problems per text cell, as "sheet!A1: text"; a sheet's own name is read too."""
    failures, read = {}, 0
    for sheet in book.worksheets:
        if found := problems_in(sheet.title, codes, waves):
            failures[f"sheet {sheet.title!r}"] = found
        code_columns = set()
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or _numeric(cell):
                    continue
                text = str(cell.value)
                if text == CODE_COLUMN:
                    code_columns.add(cell.column)
                    continue
                read += 1
                own = codes if cell.column not in code_columns else set()
                if found := problems_in(text, own, waves):
                    failures[f"{sheet.title}!{cell.coordinate}: {text[:80]}"] = found
    assert read > 100, "the workbook has almost no text to read"
    return failures


WAVES = {"DEMO-2026Q4", "DEMO-2026Q3"}


def chart_problems(texts: list[str], codes: set[str], waves: set[str]) -> dict[str, list[str]]:
    assert len(texts) > 20, "the charts have almost no text to read"
    return {text: found for text in texts if (found := problems_in(text, codes, waves))}


@pytest.fixture(params=["--with-counts", "--no-counts"])
def report_files(request, app, runner, tmp_path):
    """report.html and report.xlsx of demo wave DEMO-2026Q4 (600 responses) against DEMO-2026Q3,
    weighted by dossier counts, or unweighted as a quarter is before its counts arrive."""
    app.config["REPORTS_DIR"] = str(tmp_path / "stored")
    counts = [request.param] if request.param == "--with-counts" else []
    for args in (["seed"],
                 ["demo", "responses", "--wave", "DEMO-2026Q3", "--count", "400", "--seed", "2", *counts],
                 ["demo", "responses", "--wave", "DEMO-2026Q4", "--count", "600", "--seed", "3", *counts],
                 ["report", "quarterly", "--wave", "DEMO-2026Q4", "--out", str(tmp_path / "out"),
                  "--format", "html,xlsx"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert ("chưa gia quyền" in html) == (not counts)
    return tmp_path / "out"


def _place_codes(db_session) -> set[str]:
    return set(db_session.scalars(select(Locality.code))) | set(db_session.scalars(select(ServiceCentre.code)))


@pytest.mark.slow  # two demo waves: seconds
def test_the_report_files_read_in_vietnamese(chart_texts, report_files, db_session):
    codes = known_codes(_place_codes(db_session))
    assert chart_problems(chart_texts, codes, WAVES) == {}
    html = (report_files / "report.html").read_text(encoding="utf-8")
    assert "Thay đổi so với đợt trước" in html  # the change columns are there to be read
    book = load_workbook(report_files / "report.xlsx")
    assert html_problems(html, codes, WAVES) == {}
    assert xlsx_problems(book, codes, WAVES) == {}


@pytest.mark.slow  # two demo waves: seconds
def test_the_report_page_reads_in_vietnamese(report_files, runner, client, auth, db_session):
    """The web page of the stored report, with its download links, as an analyst sees it."""
    result = runner.invoke(args=["report", "quarterly", "--wave", "DEMO-2026Q4", "--out",
                                 str(report_files / "stored-copy"), "--format", "json"])
    assert result.exit_code == 0, result.output
    auth(UserRole.ANALYST, username="phan-tich-vien")  # a login name is a name, not a code
    page = client.get("/admin/reports/DEMO-2026Q4").get_data(as_text=True)
    assert "Thay đổi so với đợt trước" in page
    assert html_problems(page, known_codes(_place_codes(db_session)), WAVES) == {}


@pytest.mark.parametrize("cut", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_a_first_days_report_reads_in_vietnamese(app, sipas_tree, chart_texts, cut):
    """The first hours of a real quarter (tests/survey/reports/test_tiny_waves.py's cuts): every
    figure missing with its reason, no drivers, no ranks; the reasons must read as well."""
    base = make_frame(400, 6, seed=9, thin=0)
    frame = cut(base).reset_index(drop=True)
    places = localities(6)
    questionnaire = load_questionnaire(SIPAS_FILE)
    # the names the database gives the command's build (survey/reports/data.py)
    centres = frame.groupby("centre_code").agg(locality_code=("locality_code", "first"),
                                               stored=("centre_code", "size")).reset_index()
    centres["centre_name"] = [f"Trung tâm số {k}" for k in range(1, len(centres) + 1)]
    centres["dossiers"] = pd.NA
    sectors = {c.value: c.label["vi"] for c in questionnaire.choice_lists["service_fields"].choices}
    report = build_report(frame, None, sipas_tree, wave="2026Q4", interim=True,
                          built_at="2026-10-01T17:00:00+07:00", localities=[ReportLocality(*row) for row in places],
                          previous=[PreviousWave("2026Q3", base.iloc[:1].reset_index(drop=True))],
                          item_labels=item_labels(questionnaire), centres=centres, sector_names=sectors)
    report.charts = render_all(report)
    document = report.as_dict()
    codes = known_codes({code for code, _, _ in places} | set(centres["centre_code"]))
    with app.test_request_context():
        html = to_html(document, report.charts)
        book = load_workbook(io.BytesIO(to_xlsx(document, report.charts)))
    assert {t: f for t in chart_texts if (f := problems_in(t, codes, {"2026Q4", "2026Q3"}))} == {}
    assert html_problems(html, codes, {"2026Q4", "2026Q3"}) == {}
    assert xlsx_problems(book, codes, {"2026Q4", "2026Q3"}) == {}


def test_the_checker_catches_what_it_should():
    """Each kind of slip is caught, and what is allowed is not."""
    codes = known_codes({"24001"})
    assert problems_in("Tiêu chí tc1: 81.5%", codes) == ["code 'tc1'", "decimal point '81.5'"]
    assert problems_in("Lĩnh vực: dat_dai; cờ: burst, no_counts", codes) == [
        "code 'burst'", "code 'dat_dai'", "code 'no_counts'"]
    assert problems_in("Weighted share by sector; Not found", codes) == [
        "English 'not found'", "English 'sector'", "English 'share'", "English 'weighted'"]
    assert problems_in("Tầng 24001: nan", codes) == ["code '24001'", "English 'nan'"]
    assert problems_in("p = 0.448; 1.234.5; 12.3456", codes) == [
        "decimal point '0.448'", "decimal point '1.234.5'", "decimal point '12.3456'"]
    assert problems_in("Đợt DEMO-2026Q4: 20.795 phiếu (1.020.795 hồ sơ), chỉ số 81,5% "
                       "(KTC 95%: 79,0%–84,1%); deff 1,25", codes, WAVES) == []
    assert problems_in("Korn–Graubard, Fay–Herriot, chuẩn NCHS, tuyến tính hoá Taylor, gói R survey", codes) == []
    assert problems_in("Chính sách phát triển kinh tế – xã hội; mong muốn", codes) == []
