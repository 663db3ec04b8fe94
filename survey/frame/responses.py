"""Load a wave's responses for analysis: one row per response, fast enough for a million.

The query reads only columns of `response` (ids, channel, timestamp as epoch seconds, flags and
the compact scores as text) with no per-row type conversion; centre, locality and field come
from small lookup tables joined in pandas. Responses stored before the compact copy existed
(`scores` NULL) get their scores from the answer table in one set-based query.

A questionnaire with assigned blocks (planned subsamples) gets one 0/1 column per block,
``assigned_<block code>``: 1 when the respondent was drawn for the block and asked it, answered
or not. Responses stored before the draw existed (``assigned_blocks`` NULL) were all offered
the block as an optional part, so they count as asked (1).
"""

from __future__ import annotations

import json
import uuid

import numpy as np
import pandas as pd
from sqlalchemy import Float, String, Text, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from survey.frame import compact
from survey.models import Answer, Locality, Response, ReviewStatus, ServiceCentre, ServiceField, Wave
from survey.privacy.timebands import TIME_BANDS  # the bands analysts see everywhere (issue 15)
from survey.questionnaire import from_dict

PROVINCIAL_STRATUM = "tinh"
"""Stratum and locality code of the provincial centre, which belongs to no locality."""
PROVINCIAL_NAME = "Trung tâm Phục vụ hành chính công tỉnh"
ASSIGNED_PREFIX = "assigned_"
"""Frame column ``assigned_<block>`` per assigned block: 1 drawn for it and asked, 0 not."""


def response_id_text(session: Session):
    """The response id as dashed text, computed in SQL on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(Response.id, String)
    # SQLite keeps a UUID as 32 hex digits; give it the usual dashed form in SQL.
    col = type_coerce(Response.id, String)
    parts = [func.substr(col, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    dashed = parts[0]
    for part in parts[1:]:
        dashed = dashed.op("||")(literal_column("'-'")).op("||")(part)
    return func.lower(dashed)


def _epoch(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", Response.submitted_at), Float)
    return (func.julianday(type_coerce(Response.submitted_at, String)) - 2440587.5) * 86400.0


def _fetch_plain(session: Session, query) -> list[tuple]:
    """Rows of `query` as the database driver gives them, without SQLAlchemy's per-row work.

    For a million rows SQLAlchemy's result objects cost seconds; the columns asked for here are
    already plain (text, integers, floats), so the driver's tuples are all that is needed.
    Only for queries whose parameters are plain values (no expanding IN lists).
    """
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def load_responses(session: Session, wave: Wave, timezone: str) -> pd.DataFrame:
    """Every stored response of `wave` with its place, time, flags and likert scores."""
    wave_id = Response.wave_id
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite would walk the (wave, centre) index and fetch each row by rowid, at random;
        # a wave is most of the table, so one sequential scan is several times faster.
        wave_id = wave_id + 0
    # SQLite's 32 hex digits are dashed below in one NumPy pass, not per row in SQL
    response_id = type_coerce(Response.id, String) if sqlite else response_id_text(session)
    query = select(
        response_id, Response.centre_id, Response.field_id, Response.channel,
        _epoch(session), cast(Response.quality_flags, Text), Response.review_status,
        Response.scores, Response.opinions, cast(Response.assigned_blocks, Text),
    ).where(wave_id == wave.id)
    columns = ["response_id", "centre_id", "field_id", "channel", "epoch", "flags_json",
               "review_status", "scores", "opinions", "assigned_json"]
    raw = pd.DataFrame(_fetch_plain(session, query), columns=columns)
    if sqlite:
        raw["response_id"] = _dashed(raw["response_id"].to_numpy(dtype=object))
    frame = _places(session, raw)
    local = pd.to_datetime(raw["epoch"].astype(float), unit="s", utc=True).dt.tz_convert(timezone)
    frame["local_date"] = _dates(local)
    hours = local.dt.hour.to_numpy()
    bounds = np.array([start for start, _ in TIME_BANDS])
    labels = np.array([label for _, label in TIME_BANDS], dtype=object)
    frame["time_band"] = labels[np.searchsorted(bounds, hours, side="right") - 1] if len(raw) else []
    frame["flags"] = _flag_lists(raw["flags_json"])
    frame["review_status"] = raw["review_status"].to_numpy()
    frame["opinions"] = raw["opinions"].to_numpy(dtype=object)  # decoded on request (opinion_columns)
    codes = compact.likert_codes_of(wave.questionnaire_version.definition)
    frame[list(codes)] = _score_matrix(session, wave, raw, codes)
    blocks = [block.code for block in from_dict(wave.questionnaire_version.definition).blocks]
    if blocks:
        frame[[f"{ASSIGNED_PREFIX}{code}" for code in blocks]] = _assigned_matrix(raw["assigned_json"], blocks)
    return frame


def _assigned_matrix(assigned_json: pd.Series, blocks: list[str]) -> np.ndarray:
    """(responses, blocks) 0/1: drawn for each block; the few distinct JSON texts parsed once each.

    NULL (stored before the draw existed, the block then an optional part offered to all) is 1.
    """
    codes, uniques = pd.factorize(assigned_json, use_na_sentinel=False)
    per_unique = np.ones((len(uniques), len(blocks)), dtype=np.int64)
    for row, text in enumerate(uniques):
        if isinstance(text, str) and text != "null":  # JSON null is the SQL NULL's meaning
            drawn = set(json.loads(text))
            per_unique[row] = [code in drawn for code in blocks]
    return per_unique[codes] if len(codes) else np.zeros((0, len(blocks)), dtype=np.int64)


def _dashed(hex_ids: np.ndarray) -> np.ndarray:
    """32-digit hex UUIDs in the usual 8-4-4-4-12 dashed form, all in one buffer."""
    if not len(hex_ids):
        return hex_ids
    digits = np.frombuffer("".join(hex_ids).lower().encode("ascii"), dtype=np.uint8).reshape(len(hex_ids), 32)
    dashed = np.full((len(hex_ids), 36), ord("-"), dtype=np.uint8)
    for start, stop, to in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        dashed[:, to:to + stop - start] = digits[:, start:stop]
    text = dashed.tobytes().decode("ascii")
    out = np.empty(len(hex_ids), dtype=object)
    out[:] = [text[i:i + 36] for i in range(0, len(text), 36)]
    return out


def _dates(local: pd.Series) -> np.ndarray:
    # strftime is per element; a million timestamps share a few hundred dates.
    codes, uniques = pd.factorize(local.dt.normalize())
    return np.asarray(uniques.strftime("%Y-%m-%d"), dtype=object)[codes] if len(codes) else np.empty(0, object)


def _places(session: Session, raw: pd.DataFrame) -> pd.DataFrame:
    centres = pd.DataFrame(session.execute(select(
        ServiceCentre.id, ServiceCentre.code, Locality.code, Locality.name, Locality.kind,
    ).outerjoin(Locality, Locality.id == ServiceCentre.locality_id)).all(),
        columns=["centre_id", "centre_code", "locality_code", "locality_name", "locality_kind"])
    provincial = centres["locality_code"].isna()
    centres.loc[provincial, ["locality_code", "locality_kind"]] = PROVINCIAL_STRATUM
    centres.loc[provincial, "locality_name"] = PROVINCIAL_NAME
    fields = pd.DataFrame(session.execute(select(ServiceField.id, ServiceField.code)).all(),
                          columns=["field_id", "field_code"])
    frame = pd.DataFrame({"response_id": raw["response_id"].astype(object), "channel": raw["channel"]})
    place = centres.set_index("centre_id").reindex(raw["centre_id"].to_numpy())
    for column in ("centre_code", "locality_code", "locality_name", "locality_kind"):
        frame[column] = place[column].to_numpy(dtype=object)
    frame["field_code"] = fields.set_index("field_id")["field_code"].reindex(
        raw["field_id"].to_numpy()).to_numpy(dtype=object)
    return frame


def _flag_lists(flags_json: pd.Series) -> np.ndarray:
    """Each response's flags as a tuple; the few distinct JSON texts are parsed once each."""
    codes, uniques = pd.factorize(flags_json.fillna("[]"))
    parsed = np.empty(len(uniques), dtype=object)
    parsed[:] = [tuple(json.loads(text) or ()) for text in uniques]
    return parsed[codes] if len(codes) else np.empty(0, dtype=object)


def _score_matrix(session: Session, wave: Wave, raw: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray:
    matrix = np.full((len(raw), len(codes)), np.nan)
    present = raw["scores"].notna().to_numpy()
    if present.any():
        matrix[present] = compact.decode(raw["scores"].to_numpy(dtype=object)[present], len(codes))
    if not present.all():
        matrix[~present] = _scores_from_answers(session, wave, raw.loc[~present, "response_id"], codes)
    return matrix


def opinion_columns(session: Session, frame: pd.DataFrame, opinions: compact.Opinions) -> np.ndarray:
    """The ``_said_<item>`` matrix of `frame`'s responses from their compact opinions; rows
    stored before the compact copy existed (``opinions`` NULL) read the answer table."""
    strings = frame["opinions"].to_numpy(dtype=object)
    present = pd.notna(strings)
    matrix = np.full((len(frame), len(opinions.items)), np.nan)
    if present.any():
        matrix[present] = opinions.decode(strings[present])
    if not present.all():
        matrix[~present] = opinions_from_answers(session, frame["response_id"][~present], opinions)
    return matrix


def opinions_from_answers(session: Session, response_ids: pd.Series, opinions: compact.Opinions) -> np.ndarray:
    """The ``_said_<item>`` matrix of these responses read from their answer rows."""
    ids = [uuid.UUID(i) for i in response_ids]
    values: dict[str, dict[str, str | None]] = {}
    for start in range(0, len(ids), 10_000):
        rows = session.execute(select(Answer.response_id, Answer.item_code, Answer.value).where(
            Answer.response_id.in_(ids[start:start + 10_000]), Answer.item_code.in_(opinions.items)))
        for response_id, code, value in rows:
            values.setdefault(str(response_id), {})[code] = value
    return opinions.decode([opinions.encode(values.get(i, {})) for i in response_ids])


def _scores_from_answers(session: Session, wave: Wave, response_ids: pd.Series, codes) -> np.ndarray:
    query = (
        select(response_id_text(session), Answer.item_code, Answer.score)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave.id, Response.scores.is_(None), Answer.score.is_not(None))
    )
    long = pd.DataFrame(session.execute(query).all(), columns=["response_id", "item_code", "score"])
    wide = long.pivot(index="response_id", columns="item_code", values="score")
    return wide.reindex(index=response_ids.to_numpy(), columns=list(codes)).to_numpy(dtype=float)


def is_kept(frame: pd.DataFrame, exclude: tuple[str, ...]) -> tuple[np.ndarray, dict[str, int], dict[str, int]]:
    """Which responses are valid for analysis, the count of each flag, and what was left out."""
    flags = frame["flags"]
    codes, uniques = pd.factorize(flags)
    flag_counts: dict[str, int] = {}
    per_unique = np.bincount(codes, minlength=len(uniques)) if len(codes) else np.zeros(0, int)
    for combo, count in zip(uniques, per_unique, strict=True):
        for flag in combo:
            flag_counts[flag] = flag_counts.get(flag, 0) + int(count)
    excluded: dict[str, int] = {}
    dropped_unique = np.array([bool(set(combo) & set(exclude)) for combo in uniques], dtype=bool)
    dropped = dropped_unique[codes] if len(codes) else np.zeros(0, bool)
    for flag in exclude:
        hits = sum(int(c) for combo, c in zip(uniques, per_unique, strict=True) if flag in combo)
        if hits:
            excluded[flag] = hits
    reviewed_out = (frame["review_status"] == ReviewStatus.EXCLUDED).to_numpy()
    if reviewed_out.any():
        excluded["review"] = int(reviewed_out.sum())
    no_centre = frame["centre_code"].isna().to_numpy()
    if no_centre.any():
        excluded["no_centre"] = int(no_centre.sum())
    return ~(dropped | reviewed_out | no_centre), flag_counts, excluded
