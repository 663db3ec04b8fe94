"""Gather a wave's report inputs from the database: the analysis frame (``survey.frame``),
with the opinion answers, every locality, per-centre counts and the earlier waves.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.clock import local_now
from survey.frame.compact import Opinions
from survey.frame.load import DEFAULT_EXCLUDE, analysis_frame, quarter_counts
from survey.frame.responses import PROVINCIAL_NAME, PROVINCIAL_STRATUM
from survey.models import (
    CommentDigest,
    Locality,
    QuestionnaireVersion,
    Response,
    ServiceCentre,
    ServiceField,
    Wave,
    WaveStatus,
)
from survey.models.places import LocalityName
from survey.quarters import wave_quarter
from survey.questionnaire import from_dict
from survey.reports.build import PreviousWave, build_report
from survey.reports.geometry import load_boundaries
from survey.reports.groups import Breakdowns, add_answers
from survey.reports.model import Report


def localities(session: Session) -> list[LocalityName]:
    """Every locality of the province, then the provincial centre."""
    rows = session.execute(select(Locality.code, Locality.name, Locality.kind).order_by(Locality.code)).all()
    return [LocalityName(*row) for row in rows] + [
        LocalityName(PROVINCIAL_STRATUM, PROVINCIAL_NAME, PROVINCIAL_STRATUM)]


def centre_counts(session: Session, wave: Wave) -> pd.DataFrame:
    """Per centre: responses stored in the wave and dossiers resolved in its quarter."""
    stored = session.execute(
        select(ServiceCentre.code, ServiceCentre.name, Locality.code, func.count(Response.id))
        .join(Response, Response.centre_id == ServiceCentre.id)
        .outerjoin(Locality, Locality.id == ServiceCentre.locality_id)
        .where(Response.wave_id == wave.id)
        .group_by(ServiceCentre.code, ServiceCentre.name, Locality.code)
    ).all()
    frame = pd.DataFrame(stored, columns=["centre_code", "centre_name", "locality_code", "stored"])
    frame["locality_code"] = frame["locality_code"].fillna(PROVINCIAL_STRATUM)
    counts = quarter_counts(session, wave_quarter(wave))
    dossiers = counts.groupby("centre_code")["dossiers"].sum()
    frame["dossiers"] = frame["centre_code"].map(dossiers)
    return frame.sort_values("centre_code").reset_index(drop=True)


def earlier_waves(session: Session, wave: Wave) -> list[Wave]:
    """Waves of the same questionnaire (any version) that opened before ``wave``, demo with demo
    and real with real, oldest first: another survey's index is not this one's trend."""
    return list(session.scalars(
        select(Wave).join(QuestionnaireVersion)
        .where(Wave.opens_on < wave.opens_on, Wave.is_demo == wave.is_demo,
               QuestionnaireVersion.questionnaire_id == wave.questionnaire_version.questionnaire_id)
        .order_by(Wave.opens_on)))


def wave_frame(session: Session, wave: Wave, exclude) -> tuple[pd.DataFrame, object]:
    """The analysis frame of ``wave`` with the opinion answers (``_said_<item>``) and the answers
    to the items its questionnaire's report breaks down by (``_answer_<item>``) on it."""
    frame, weighting = analysis_frame(session, wave, exclude=exclude, opinions=True)
    add_answers(session, wave, frame, Breakdowns.of(from_dict(wave.questionnaire_version.definition)))
    return frame, weighting


def item_labels(definition) -> dict[str, str]:
    """Vietnamese label of every item of a questionnaire definition."""
    return {code: item.label.get("vi", code) for code, item in definition.items_by_code.items()}


def comment_digests(session: Session, wave: Wave) -> list[dict]:
    """The province's published digests of citizens' comments in ``wave``, one per locality.

    A digest is written by a reviewer from at least 5 scrubbed comments and holds no link to any
    response (survey/admin/digests.py), so the report can carry it as it is.
    """
    rows = session.execute(
        select(Locality.code, Locality.name, CommentDigest.comments, CommentDigest.body)
        .join(CommentDigest, CommentDigest.locality_id == Locality.id)
        .where(CommentDigest.wave_id == wave.id).order_by(Locality.name)).all()
    return [{"locality_code": code, "locality_name": name, "comments": count, "digest": body}
            for code, name, count, body in rows]


def is_interim(wave: Wave, today) -> bool:
    """A report of a wave still open, or whose closing day has not passed, is interim ("tạm tính")."""
    return wave.status == WaveStatus.OPEN or wave.closes_on >= today


def report_for_wave(session: Session, wave: Wave, *, target: float | None = None,
                    exclude=DEFAULT_EXCLUDE, progress: Callable[[str], None] = lambda step: None) -> Report:
    """Load everything the report needs for ``wave`` and build it (charts included).

    ``target`` overrides the target the wave's questionnaire version declares (``index.target``);
    ``None`` keeps the version's, which may be none.
    """
    from survey.reports.charts import render_all

    progress("loading responses")
    frame, weighting = wave_frame(session, wave, exclude)
    definition = from_dict(wave.questionnaire_version.definition)
    previous = []
    for earlier in earlier_waves(session, wave):
        progress(f"loading wave {earlier.code}")
        earlier_frame, _ = analysis_frame(session, earlier, exclude=exclude)
        if not earlier_frame.empty:
            previous.append(PreviousWave(earlier.code, earlier_frame))
    geometry = load_boundaries(session)  # read with the rest: a build's reads end before its estimates
    now = local_now()
    report = build_report(frame, weighting, definition.index, wave=wave.code, is_demo=wave.is_demo,
                          localities=localities(session), previous=previous, target=target,
                          item_labels=item_labels(definition), centres=centre_counts(session, wave),
                          interim=is_interim(wave, now.date()), built_at=now.isoformat(timespec="seconds"),
                          sector_names=dict(session.execute(select(ServiceField.code, ServiceField.name)).all()),
                          comments=comment_digests(session, wave),
                          breakdowns=Breakdowns.of(definition), opinions=Opinions.of(definition),
                          progress=progress)
    report.geometry = geometry
    progress("charts")
    report.charts = render_all(report)
    return report
