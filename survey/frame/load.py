"""Loading a wave's analysis frame: `analysis_frame(session, wave)`, the package's entry point.

It loads the wave, applies the analyst's quality exclusions, computes the design weights (cells
centre × field × quarter, thin cells collapsed to the nearest adequate cell), optionally trims
and rakes them through `analysis/`, and returns the frame with a `WeightingReport` saying what
was done (docs/methodology.md has the formulas).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.frame.compact import Opinions
from survey.frame.defaults import DEFAULT_EXCLUDE, DEFAULT_MIN_CELL, PSU_KINDS
from survey.frame.design import cell_weights
from survey.frame.families import shipped_families
from survey.frame.report import Collapse, CollapseKind, CollapseSummary, Trimming, WeightingReport
from survey.frame.responses import is_kept, load_responses, opinion_columns
from survey.models import AdminCount, ServiceCentre, ServiceField, Wave
from survey.quarters import wave_quarter

__all__ = ["DEFAULT_EXCLUDE", "FRAME_COLUMNS", "PSU_KINDS", "Collapse", "CollapseKind", "CollapseSummary",
           "Trimming", "WeightingReport", "analysis_frame", "quarter_counts"]

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
FRAME_COLUMNS = ["response_id", "centre_code", "locality_code", "locality_name", "locality_kind",
                 "stratum", "psu", "field_code", "channel", "local_date", "time_band",
                 "quality_flags", "design_weight"]


def quarter_counts(session: Session, quarter: str) -> pd.DataFrame:
    """Dossiers resolved in `quarter` as (centre_code, field_code, dossiers)."""
    rows = session.execute(
        select(ServiceCentre.code, ServiceField.code, AdminCount.dossiers_resolved)
        .join(ServiceCentre, ServiceCentre.id == AdminCount.centre_id)
        .join(ServiceField, ServiceField.id == AdminCount.field_id)
        .where(AdminCount.quarter == quarter)
    ).all()
    return pd.DataFrame(rows, columns=["centre_code", "field_code", "dossiers"])


def analysis_frame(
    session: Session,
    wave: Wave,
    *,
    exclude: tuple[str, ...] | list[str] = DEFAULT_EXCLUDE,
    min_cell: int = DEFAULT_MIN_CELL,
    trim: float | None = None,
    psu: str = "desk_day",
    margins: Mapping[str, Mapping[str, float]] | None = None,
    centre_ids=None,
    timezone: str | None = None,
    opinions: bool = False,
) -> tuple[pd.DataFrame, WeightingReport]:
    """One row per kept response of `wave`: place, design, time, flags, weight, likert scores.

    Columns are FRAME_COLUMNS, then one float column per likert item code (NaN for no answer
    and "Không trả lời"). `exclude` lists quality flags whose responses are left out;
    `trim` caps weights at that multiple of the median; `margins` ({item: {value: total}})
    rakes the weights to known totals; `psu` is "desk_day" (centre × local date) or "response".
    `centre_ids` limits the frame to some centres, whose weights stay those of the whole wave.
    `opinions` adds, after the items, a column ``_said_<item>`` per opinion item the
    questionnaire declares (``report: opinions:``, `survey.frame.compact.Opinions`): 1.0 an
    occurrence reported, 0.0 nothing happened ("Không gặp"), NaN no answer.
    """
    if psu not in PSU_KINDS:
        raise ValueError(f"unknown PSU {psu!r}; use one of {', '.join(PSU_KINDS)}")
    if trim is not None and not trim > 1:
        raise ValueError(f"the trimming cap must be a multiple of the median above 1, not {trim}")
    exclude = tuple(exclude)
    if timezone is None:
        timezone = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    frame = load_responses(session, wave, timezone)
    kept, flag_counts, excluded = is_kept(frame, exclude)
    n_responses = len(frame)
    frame = frame[kept].reset_index(drop=True)
    quarter = wave_quarter(wave)
    counts = quarter_counts(session, quarter)
    weighted = not counts.empty
    collapsed_cells: list[Collapse] = []
    summary = CollapseSummary()
    uncovered: dict[str, int] = {}
    total_dossiers = 0
    if weighted:
        cells = cell_weights(frame["centre_code"], frame["field_code"], counts, min_cell, shipped_families())
        weights = cells.weights
        no_counts = np.isnan(weights)
        if no_counts.any():
            excluded["no_counts"] = int(no_counts.sum())
            frame, weights = frame[~no_counts].reset_index(drop=True), weights[~no_counts]
        collapsed_cells, summary = cells.collapses, cells.summary
        uncovered, total_dossiers = cells.uncovered, cells.total_dossiers
    else:
        weights = np.ones(len(frame))
    frame.insert(0, "stratum", frame["locality_code"])
    frame["psu"] = (frame["centre_code"] + ":" + frame["local_date"]) if psu == "desk_day" else frame["response_id"]
    frame["quality_flags"] = _joined_flags(frame["flags"])
    frame["design_weight"] = weights
    trimmed = None
    if trim is not None and len(frame):
        frame["design_weight"], trimmed = _trim(frame, trim)
    raked_to: tuple[str, ...] = ()
    if margins:
        frame["design_weight"] = _rake(session, wave, frame, margins)
        raked_to = tuple(margins)
    if opinions:
        said = Opinions.of_definition(wave.questionnaire_version.definition)
        if said.items:
            frame[said.columns] = opinion_columns(session, frame, said)
    items = [c for c in frame.columns if c not in FRAME_COLUMNS and c not in ("flags", "review_status", "opinions")]
    frame = frame[FRAME_COLUMNS + items]
    if centre_ids is not None:
        codes = set(session.scalars(select(ServiceCentre.code).where(ServiceCentre.id.in_(list(centre_ids)))))
        frame = frame[frame["centre_code"].isin(codes)].reset_index(drop=True)
    report = WeightingReport(
        weighted=weighted, quarter=quarter, min_cell=min_cell, collapses=summary, collapsed_cells=collapsed_cells,
        flag_counts=flag_counts, excluded=excluded, trimmed=trimmed, raked_to=raked_to,
        n_responses=n_responses, n_kept=len(frame), exclude=exclude, psu=psu, uncovered=uncovered,
        total_dossiers=total_dossiers, total_weight=float(frame["design_weight"].sum()),
    )
    return frame, report


def _joined_flags(flags: pd.Series) -> np.ndarray:
    # a million responses share a few dozen flag combinations: join each combination once
    codes, uniques = pd.factorize(flags)
    joined = np.array([";".join(u) for u in uniques] + [""], dtype=object)
    return joined[codes]


def _trim(frame: pd.DataFrame, cap_multiple: float) -> tuple[np.ndarray, Trimming]:
    from analysis.calibration import trim_weights
    from analysis.design import Design

    before = frame["design_weight"].to_numpy(dtype=float)
    cap = cap_multiple * float(np.median(before))
    design = Design.from_frame(frame[["design_weight"]], weight="design_weight")
    after = trim_weights(design, upper=cap).weights
    over = before > cap
    return after, Trimming(cap_multiple, cap, int(over.sum()), float((before[over] - cap).sum()))


def _rake(session: Session, wave: Wave, frame: pd.DataFrame, margins: Mapping[str, Mapping[str, float]]) -> np.ndarray:
    from analysis.calibration import rake
    from analysis.design import Design
    from survey.frame.margins import margin_answers

    answers = margin_answers(session, wave, list(margins))
    data = pd.DataFrame({"design_weight": frame["design_weight"].to_numpy()})
    for variable in margins:
        data[variable] = answers.get(variable, pd.Series(dtype=object)).reindex(frame["response_id"]).to_numpy()
    design = Design.from_frame(data, weight="design_weight")
    return rake(design, margins).weights
