"""Which report a wave gets, and the one pipeline every kind goes through.

A questionnaire declares its scoring rule (`index.item_score`); the rule decides the report:
shares satisfied give the satisfaction report (SIPAS, the businesses' survey, any copy), points
give the PAR score of the leaders' survey. Every kind is built by the same job
(`survey.reports.jobs`), kept by the same store, shown and downloaded by the same pages
(`survey.reports.views`) and written by the same command (`flask report quarterly`); a kind
only says how to build its document and how to render it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from sqlalchemy.orm import Session

from survey.enums import ItemScore, ReportKind
from survey.models import Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.questionnaire.versions import questionnaire_of
from survey.reports import render

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Kind:
    """How one kind of report is built and rendered; the pipeline does the rest."""

    code: ReportKind
    build: Callable[..., tuple[dict, dict[str, bytes]]]
    """``build(session, wave, progress, **options)``: the document (JSON-ready, with its
    ``kind``) and its charts (PNG bytes by name). Options a kind does not use are ignored."""
    to_xlsx: Callable[[dict, dict[str, bytes]], bytes]
    body_template: str
    """The report's body, shown inside the admin page and inside the downloadable HTML."""
    officers_see: bool
    """Whether locality officers see it (their own locality's copy, `render.restrict`)."""
    summary: Callable[[dict], str]
    """The one line `flask report quarterly` prints when done."""

    def to_html(self, document: dict, charts: dict[str, bytes]) -> str:
        """The self-contained HTML file (inline CSS and images; A4 print CSS)."""
        return render_template("reports/document.html", body_template=self.body_template,
                               **render.body_context(document, charts))


def _satisfaction(session: Session, wave: Wave, progress: Progress, **options) -> tuple[dict, dict[str, bytes]]:
    from survey.reports.data import report_for_wave

    report = report_for_wave(session, wave, progress=progress, **options)
    return report.as_dict(), report.charts


def _par_score(session: Session, wave: Wave, progress: Progress, **options) -> tuple[dict, dict[str, bytes]]:
    from survey.leaders.charts import par_charts
    from survey.leaders.scores import par_document

    progress("loading responses")
    document = par_document(session, wave)
    progress("charts")
    return document, par_charts(document)


def _par_xlsx(document: dict, charts: dict[str, bytes]) -> bytes:
    from survey.leaders.scores import score_xlsx

    return score_xlsx(document, charts)


KINDS = {
    ReportKind.SATISFACTION: Kind(ReportKind.SATISFACTION, _satisfaction, render.to_xlsx, "reports/_body.html",
                                  officers_see=True, summary=render.summary_line),
    ReportKind.PAR_SCORE: Kind(ReportKind.PAR_SCORE, _par_score, _par_xlsx, "reports/_par_body.html",
                               officers_see=False, summary=render.par_summary_line),
}


def kind_of(questionnaire: QuestionnaireDefinition) -> Kind:
    """The report a questionnaire's waves get, from its scoring rule."""
    scored_by_points = questionnaire.index.item_score == ItemScore.POINTS
    return KINDS[ReportKind.PAR_SCORE if scored_by_points else ReportKind.SATISFACTION]


def kind_of_wave(wave: Wave) -> Kind:
    return kind_of(questionnaire_of(wave))


def kind_of_document(document: dict) -> Kind:
    """The kind a stored document was built as (documents kept before kinds existed: satisfaction)."""
    return KINDS[ReportKind(document.get("kind", ReportKind.SATISFACTION))]
