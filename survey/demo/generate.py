"""Fill a demo wave with synthetic responses in bulk, through the tables the web form writes.

Each response row carries the same columns the form's storage path writes (quality flags by
the same rules, the compact likert scores and opinion answers encoded by
`survey.frame.compact`), and each shown
item gets its answer row. Rows go in with the database's bulk path (COPY on PostgreSQL,
executemany on SQLite) in chunks, so a million responses take minutes, not hours.

Select items whose answers should look like a published quarter (harassment and extra
payments a few per cent, feedback given by a minority) take their shares from the data file
``answers.yaml`` beside this module; others draw random shares. Questions that are not
required are sometimes left blank; the assigned blocks are drawn at the wave's share and those
drawn answer them, mostly.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from survey.db import Base
from survey.demo import synth
from survey.frame import compact as compact_scores
from survey.models import Locality, Response, ServiceCentre, ServiceField, Wave
from survey.questionnaire import QuestionnaireDefinition, from_dict

CHUNK = 50_000
RESPONSE_COLUMNS = ("id", "wave_id", "centre_id", "field_id", "channel", "language", "started_at",
                    "submitted_at", "duration_seconds", "quality_flags", "device_hash", "ip_hash",
                    "review_status", "review_reason", "scores", "opinions", "assigned_blocks")
ANSWER_PROFILE = Path(__file__).with_name("answers.yaml")
ANSWER_COLUMNS = ("response_id", "item_code", "value", "score")
FIELD_ITEM = "field"


@cache
def answer_shares() -> dict[str, dict[str, float]]:
    """Item code → {value: share} from answers.yaml: the published shape of some answers."""
    return yaml.safe_load(ANSWER_PROFILE.read_text(encoding="utf-8"))["items"]


class DemoError(ValueError):
    """The demo data cannot be made (no centres, no fields, ...)."""


@dataclass(frozen=True)
class DemoResult:
    responses: int
    answers: int
    flag_counts: dict[str, int]


def _places(session: Session, questionnaire: QuestionnaireDefinition) -> tuple[synth.Places, list[str]]:
    rows = session.execute(select(ServiceCentre.id, ServiceCentre.locality_id).where(ServiceCentre.active)
                           .order_by(ServiceCentre.code)).all()
    if not rows:
        raise DemoError("there are no active centres; run `flask --app wsgi seed` first")
    localities = {lid: i for i, lid in enumerate(session.scalars(select(Locality.id).order_by(Locality.id)))}
    provincial = len(localities)
    centre_ids = np.array([r[0] for r in rows])
    centre_locality = np.array([localities.get(r[1], provincial) if r[1] is not None else provincial for r in rows])
    fields = dict(session.execute(select(ServiceField.code, ServiceField.id).where(ServiceField.active)).all())
    item = questionnaire.items_by_code.get(FIELD_ITEM)
    codes = [c.value for c in item.choices.choices if c.value in fields] if item and item.choices else list(fields)
    if not codes:
        raise DemoError("no service field of the questionnaire is in the database; run `flask --app wsgi seed` first")
    return synth.Places(centre_ids, centre_locality, fields), codes


def _shown(rng: np.random.Generator, questionnaire: QuestionnaireDefinition, items,
           ref_values: dict[str, np.ndarray], draw: synth.Draw) -> np.ndarray:
    """(N, items) whether each item is shown and answered: skip logic, optional parts, assigned
    blocks, questions not required sometimes left blank, no free text."""
    optional_on = draw.optional_on
    optional_pages = [p for p in questionnaire.pages if p.optional]
    page_of = {item.code: page.code for page in questionnaire.pages for item in page.items}
    n = optional_on.shape[0]
    keys = np.zeros(n, dtype=np.int64)
    parts = []
    for code, values in ref_values.items():
        codes, uniques = np.unique(values, return_inverse=True)
        keys = keys * len(codes) + uniques
        parts.append((code, codes))
    combo_codes, combo_index = np.unique(keys, return_inverse=True)
    dummy = {item.code: "1" for item in items}
    shown = np.zeros((n, len(items)), dtype=bool)
    for k, key in enumerate(combo_codes):
        answers = dict(dummy)
        rest = int(key)
        for code, codes in reversed(parts):
            answers[code] = codes[rest % len(codes)]
            rest //= len(codes)
        visible = set(questionnaire.relevant_answers(answers))
        shown[combo_index == k] = [item.code in visible and item.type != "text" for item in items]
    for p, page in enumerate(optional_pages):
        on_page = np.array([page_of[item.code] == page.code for item in items])
        shown[:, on_page] &= optional_on[:, p:p + 1]
    for b, block in enumerate(questionnaire.blocks):
        in_block = np.array([page_of[item.code] in block.pages for item in items])
        shown[:, in_block] &= draw.block_answered[:, b:b + 1]
    # a skipped question that others depend on would contradict their skip logic: never skipped
    for column, item in enumerate(items):  # column by column: a million rows stay a few MB at a time
        if not item.required and item.code not in ref_values:
            shown[:, column] &= rng.random(n) >= synth.SKIP_RATE
    return shown


def fill_demo_wave(session: Session, wave: Wave, count: int, seed: int, timezone: str) -> DemoResult:
    """Add `count` synthetic responses to the demo wave `wave` (the caller commits)."""
    # The wave and what it already holds join the seed: two demo waves, or a second fill of one,
    # with the same --seed would otherwise draw the same response ids.
    already = session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave.id))
    rng = np.random.default_rng([seed, wave.id, already])
    questionnaire = from_dict(wave.questionnaire_version.definition)
    places, field_codes = _places(session, questionnaire)
    items = list(questionnaire.items)
    n_optional = sum(1 for p in questionnaire.pages if p.optional)
    shares = questionnaire.block_shares(wave.assigned_share)
    draw = synth.draw_responses(rng, count, places, field_codes, wave.opens_on, wave.closes_on,
                                timezone, n_optional, tuple(shares.values()))
    profile = answer_shares()
    refs = {code: synth.choice_values(rng, questionnaire.items_by_code[code], count, profile.get(code))
            for code in questionnaire.relevance_references}
    shown = _shown(rng, questionnaire, items, refs, draw)
    drawn_for = [[code for code, on in zip(shares, row, strict=True) if on] for row in draw.assigned.tolist()]
    likert = [i for i, item in enumerate(items) if item.type == "likert"]
    scores = synth.likert_scores(rng, draw.latent, len(likert)) * shown[:, likert]
    answered = shown.sum(axis=1)
    flags = synth.quality_flag_lists(draw, answered, scores, timezone)
    compact = (scores + ord("0")).astype(np.uint8).tobytes().decode("ascii")
    width = len(likert)
    likert_position = {items[i].code: j for j, i in enumerate(likert)}
    # Random ids handed out in ascending order: every index on them then grows at its end,
    # which keeps a million-row bulk insert from thrashing the B-tree.
    ids = sorted(uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(count))
    writer = _Writer(session)
    n_answers = 0
    said = compact_scores.Opinions.of(questionnaire)
    for start in range(0, count, CHUNK):
        stop = min(count, start + CHUNK)
        rows = range(start, stop)
        keys = np.empty(stop - start, dtype=object)
        keys[:] = writer.keys(ids[start:stop])
        rows_of, codes_of, values_of, scores_of = [], [], [], []
        opinions = {code: np.full(stop - start, None, dtype=object) for code in said.items}
        for i, item in enumerate(items):
            on = np.flatnonzero(shown[start:stop, i])
            if not len(on):
                continue
            if item.type == "likert":
                given = scores[start:stop, likert_position[item.code]][on]
                values = given.astype(str).astype(object)
                score = np.where(given > 0, given, 0).astype(object)
                score[given == 0] = None
            else:
                values = (draw.field_code[start:stop][on] if item.code == FIELD_ITEM
                          else refs[item.code][start:stop][on] if item.code in refs
                          else synth.choice_values(rng, item, len(on), profile.get(item.code)))
                score = np.full(len(on), None, dtype=object)
            if item.code in opinions:
                opinions[item.code][on] = values
            rows_of.append(on)
            codes_of.append(np.full(len(on), item.code, dtype=object))
            values_of.append(values)
            scores_of.append(score)
        opinion_text = [said.encode(dict(zip(said.items, answers, strict=True)))
                        for answers in zip(*opinions.values(), strict=True)] if said.items else [""] * (stop - start)
        submitted = [dt.datetime.fromtimestamp(t, dt.timezone.utc) for t in draw.submitted[start:stop]]
        writer.responses(
            (ids[r], wave.id, int(places.centre_ids[draw.centre[r]]), places.field_ids[draw.field_code[r]],
             draw.channel[r], "vi", submitted[r - start] - dt.timedelta(seconds=int(draw.duration[r])),
             submitted[r - start], int(draw.duration[r]), flags[r], draw.device[r], None, "included", None,
             compact[r * width:(r + 1) * width], opinion_text[r - start], drawn_for[r])
            for r in rows
        )
        row = np.concatenate(rows_of)
        order = np.argsort(row, kind="stable")  # response by response, in id order
        writer.answers(zip(keys[row[order]].tolist(), np.concatenate(codes_of)[order].tolist(),
                           np.concatenate(values_of)[order].tolist(),
                           [None if s is None else int(s) for s in np.concatenate(scores_of)[order].tolist()],
                           strict=True))
        n_answers += len(row)
    flag_counts: dict[str, int] = {}
    for row_flags in flags:
        for flag in row_flags:
            flag_counts[flag] = flag_counts.get(flag, 0) + 1
    return DemoResult(count, n_answers, flag_counts)


class _Writer:
    """Bulk inserts on the session's own connection (inside its transaction)."""

    def __init__(self, session: Session):
        connection = session.connection()
        self.dialect = connection.dialect
        self.raw = connection.connection.driver_connection
        self.postgres = self.dialect.name == "postgresql"
        table = Response.__table__
        self.process = [table.c[name].type._cached_bind_processor(self.dialect) for name in RESPONSE_COLUMNS]
        self.id_processor = self.process[0]

    def keys(self, ids: list[uuid.UUID]) -> list:
        return ids if self.postgres or self.id_processor is None else [self.id_processor(i) for i in ids]

    def responses(self, rows) -> None:
        if self.postgres:
            self._copy("response", RESPONSE_COLUMNS,
                       (row[:9] + (json.dumps(row[9]),) + row[10:16] + (json.dumps(row[16]),) for row in rows))
            return
        processed = (tuple(p(v) if p is not None else v for p, v in zip(self.process, row, strict=True))
                     for row in rows)
        self._insert("response", RESPONSE_COLUMNS, processed)

    def answers(self, rows) -> None:
        if self.postgres:
            self._copy("answer", ANSWER_COLUMNS, rows)
        else:
            self._insert("answer", ANSWER_COLUMNS, rows)

    def _copy(self, table: str, columns, rows) -> None:
        with self.raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def _insert(self, table: str, columns, rows) -> None:
        statement = insert(Base.metadata.tables[table]).compile(dialect=self.dialect, column_keys=list(columns))
        cursor = self.raw.cursor()
        cursor.executemany(str(statement), rows)
        cursor.close()
