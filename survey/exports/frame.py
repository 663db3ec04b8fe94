"""Export responses as one row per response and one column per item (CSV or XLSX).

Besides the items, each row carries what weighting and quality review need: the locality
code, centre and service field, channel, timestamps, duration, quality flags and review status.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from survey.models import Answer, Locality, Response, ServiceCentre, ServiceField, Wave
from survey.questionnaire import from_dict

META_COLUMNS = [
    "response_id",
    "wave",
    "channel",
    "language",
    "locality_code",
    "centre_code",
    "field_code",
    "started_at",
    "submitted_at",
    "duration_seconds",
    "quality_flags",
    "review_status",
]


def item_columns(definition: dict) -> tuple[list[str], list[str]]:
    """Item codes in questionnaire order, and those whose answers are whole numbers (scales,
    numbered choices, integer questions), read from a stored version's definition."""
    items = from_dict(definition).items
    numeric = [
        item.code for item in items
        if item.type == "integer" or (
            item.type in ("likert", "select_one")
            and all(str(c.value).lstrip("-").isdigit() for c in item.choices.choices)
        )
    ]
    return [item.code for item in items], numeric


def responses_frame(
    session: Session, wave: Wave, centre_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """All responses of `wave` (optionally limited to some centres) as a wide data frame."""
    field = aliased(ServiceField)
    query = (
        select(
            Response.id,
            Response.channel,
            Response.language,
            Locality.code,
            ServiceCentre.code,
            field.code,
            Response.started_at,
            Response.submitted_at,
            Response.duration_seconds,
            Response.quality_flags,
            Response.review_status,
        )
        .outerjoin(ServiceCentre, ServiceCentre.id == Response.centre_id)
        .outerjoin(Locality, Locality.id == ServiceCentre.locality_id)
        .outerjoin(field, field.id == Response.field_id)
        .where(Response.wave_id == wave.id)
        .order_by(Response.submitted_at, Response.id)
    )
    if centre_ids is not None:
        query = query.where(Response.centre_id.in_(list(centre_ids)))
    rows = session.execute(query).all()
    meta = pd.DataFrame(
        [
            (
                str(r[0]), wave.code, r[1], r[2], r[3], r[4], r[5],
                r[6].isoformat(), r[7].isoformat(), r[8], ";".join(r[9] or []), r[10],
            )
            for r in rows
        ],
        columns=META_COLUMNS,
        dtype=object,
    )
    items, numeric = item_columns(wave.questionnaire_version.definition)
    answers_query = (
        select(Answer.response_id, Answer.item_code, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave.id)
    )
    if centre_ids is not None:
        answers_query = answers_query.where(Response.centre_id.in_(list(centre_ids)))
    answers = pd.DataFrame(
        [(str(a), code, value) for a, code, value in session.execute(answers_query)],
        columns=["response_id", "item_code", "value"],
        dtype=object,
    )
    wide = answers.pivot(index="response_id", columns="item_code", values="value")
    extra = sorted(set(wide.columns) - set(items))
    wide = wide.reindex(columns=items + extra)
    for code in numeric:
        wide[code] = pd.to_numeric(wide[code]).astype("Int64")  # 1–5 as numbers in Excel too
    return meta.join(wide, on="response_id")


# A cell starting with one of these is run as a formula by Excel and LibreOffice (OWASP
# "CSV injection"); free text from citizens could otherwise plant a link or a command.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text that starts with a formula trigger with an apostrophe; numbers stay numbers."""
    return frame.apply(
        lambda column: column.map(
            lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) else v
        ) if column.dtype == object or pd.api.types.is_string_dtype(column.dtype) else column
    )


def write_frame(frame: pd.DataFrame, path_or_buffer, fmt: str) -> None:
    """Write `frame` as UTF-8 CSV (with BOM, so Excel shows Vietnamese) or XLSX, formula-safe."""
    frame = defuse_formulas(frame)
    if fmt == "csv":
        frame.to_csv(path_or_buffer, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        frame.to_excel(path_or_buffer, index=False, sheet_name="responses", engine="openpyxl")
    else:
        raise ValueError(f"unknown export format {fmt!r}; use csv or xlsx")
