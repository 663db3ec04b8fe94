"""The analysis-ready export: one row per kept response, design columns first, then every item.

The design columns (stratum, PSU, design weight, locality, date and time band) come from
`survey.frame.load.analysis_frame`, so the export carries exactly the weights the platform
estimates with, and leaves out the responses it leaves out. Item answers come from the answer
table: scales and numbered choices as numbers, "Không trả lời" as an empty cell unless the
analyst asks to keep its code. Times are local dates and time bands, never the minute.
A questionnaire with assigned blocks adds, after the design columns, ``assigned_<block>``
(1 drawn for the block and asked it, 0 not), so an analyst can tell "not asked" from "not
answered".
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.enums import ItemType
from survey.frame.load import DEFAULT_EXCLUDE, WeightingReport, analysis_frame
from survey.frame.responses import ASSIGNED_PREFIX, response_id_text
from survey.models import Answer, Response, Wave
from survey.questionnaire import QuestionnaireDefinition, from_dict

DESIGN_COLUMNS = [
    "response_id", "wave", "stratum", "psu", "design_weight", "locality_code", "locality_name",
    "centre_code", "field_code", "channel", "local_date", "time_band", "quality_flags",
]


def item_columns(definition: dict) -> tuple[list[str], list[str]]:
    """Item codes in questionnaire order, and those whose answers are whole numbers (scales,
    numbered choices, integer questions), read from a stored version's definition."""
    return _item_columns(from_dict(definition))


def _item_columns(questionnaire: QuestionnaireDefinition) -> tuple[list[str], list[str]]:
    items = questionnaire.items
    numeric = [
        item.code for item in items
        if item.type == ItemType.INTEGER or (
            item.type in (ItemType.LIKERT, ItemType.SELECT_ONE)
            and all(str(c.value).lstrip("-").isdigit() for c in item.choices.choices)
        )
    ]
    return [item.code for item in items], numeric


def export_frame(
    session: Session,
    wave: Wave,
    *,
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
    keep_no_answer: bool = False,
    centre_ids: Iterable[int] | None = None,
    **weighting,
) -> tuple[pd.DataFrame, WeightingReport]:
    """The export of `wave` (optionally some centres only) and the weighting report behind it."""
    centre_ids = None if centre_ids is None else list(centre_ids)
    design, report = analysis_frame(session, wave, exclude=tuple(exclude), centre_ids=centre_ids, **weighting)
    questionnaire = from_dict(wave.questionnaire_version.definition)
    items, numeric = _item_columns(questionnaire)
    values = _item_values(session, wave, centre_ids).reindex(index=design["response_id"], columns=items)
    for item in questionnaire.items:
        no_answer = [c.value for c in item.choices.choices if c.no_answer] if item.choices else []
        column = values[item.code]
        if no_answer and not keep_no_answer:
            column = column.mask(column.isin(no_answer))
        if item.code in numeric:
            column = pd.to_numeric(column).astype("Int64")  # 1–5 as numbers in Excel too
        else:  # text even when no one answered, so the Parquet export types it as text
            column = column.astype(object)
        values[item.code] = column
    assigned = [f"{ASSIGNED_PREFIX}{block.code}" for block in questionnaire.blocks]
    frame = design.assign(wave=wave.code)[DESIGN_COLUMNS + assigned].reset_index(drop=True)
    return pd.concat([frame, values.reset_index(drop=True)], axis=1), report


def _item_values(session: Session, wave: Wave, centre_ids: list[int] | None) -> pd.DataFrame:
    query = (
        select(response_id_text(session), Answer.item_code, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave.id)
    )
    if centre_ids is not None:
        query = query.where(Response.centre_id.in_(centre_ids))
    long = pd.DataFrame(session.execute(query).all(), columns=["response_id", "item_code", "value"], dtype=object)
    return long.pivot(index="response_id", columns="item_code", values="value")

