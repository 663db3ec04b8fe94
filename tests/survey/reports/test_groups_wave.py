"""The respondent groups, priorities and channels of a small live-shaped wave, read from the
database: the answers come from the answer rows (one query for the wave, only the items the
questionnaire's ``report:`` names), for a few citizens at two communes' desks over three days,
some leaving the items blank."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from survey.extensions import db
from survey.reports.data import report_for_wave
from survey.reports.groups import ANSWER_PREFIX, MIN_GROUP_N, POOLED
from survey.reports.render import to_json
from tests.factories import (
    SIPAS_FILE,
    make_centre,
    make_field,
    make_locality,
    make_response,
    make_wave,
    shipped_questionnaire,
)

LIKERT = {item.code: "4" for item in shipped_questionnaire(SIPAS_FILE).likert_items}


def _wave(db_session, people):
    """An open wave at two communes' desks; ``people`` are (commune, answers) stored in order,
    one desk-day per commune and then a second day, so the design has some degrees of freedom."""
    wave = make_wave(db_session)
    field = make_field(db_session)
    centres = [make_centre(db_session, make_locality(db_session, code, name))
               for code, name in (("24001", "Xã Ea Tu"), ("24002", "Phường Tân An"))]
    start = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.timezone.utc)
    for k, (commune, answers) in enumerate(people):
        make_response(db_session, wave, centres[commune], {**LIKERT, **answers}, field=field,
                      submitted_at=start + dt.timedelta(days=k % 3, minutes=k))
    db_session.commit()
    return wave


def _document(wave):
    return json.loads(to_json(report_for_wave(db.session, wave).as_dict()),
                      parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(c)))


def test_groups_priorities_and_channels_come_from_the_answer_rows(app, db_session):
    people = ([(0, {"gender": "nu", "ethnicity": "ede", "mm1": "rat_nhieu", "mm2": "it",
                    "submit_channel": "truc_tuyen"})] * 8
              + [(1, {"gender": "nam", "ethnicity": "kinh", "mm1": "nhieu", "mm2": "it",
                      "submit_channel": "truc_tiep"})] * 8
              + [(1, {"gender": "nam", "ethnicity": "tay"})] * 2  # two Tày: under five, left out
              + [(0, {})] * 3)  # three who answered none of them
    document = _document(_wave(db_session, people))
    gender = next(g for g in document["groups"] if g["code"] == "gender")
    assert gender["answered"] == 18
    assert {c["label"]: c["index"]["n"] for c in gender["categories"]} == {"Nam": 10, "Nữ": 8}
    ethnicity = next(g for g in document["groups"] if g["code"] == "ethnicity")
    assert [c["label"] for c in ethnicity["categories"]] == ["Kinh", "Ê Đê"]
    assert ethnicity["suppressed"] == ["Tày"] and ethnicity["suppressed_n"] == 2
    assert "Không trình bày 2 phiếu" in ethnicity["note"]
    for group in document["groups"]:
        for category in group["categories"]:
            assert category["index"]["n"] >= MIN_GROUP_N and category["code"] != POOLED
            index = category["index"]
            assert index["estimate"] == pytest.approx(1.0)  # every likert answer is 4 (satisfied)
            assert index["ci_low"] is None or 0 <= index["ci_low"] <= index["ci_high"] <= 1
    mm1 = next(p for p in document["priorities"] if p["code"] == "mm1")
    assert mm1["n"] == 16 and mm1["estimate"] == pytest.approx(0.5)  # unweighted: 8 of 16 "Rất nhiều"
    assert 0 <= mm1["ci_low"] < 0.5 < mm1["ci_high"] <= 1
    assert next(p for p in document["priorities"] if p["code"] == "mm2")["estimate"] == pytest.approx(0.0)
    unanswered = [p for p in document["priorities"] if p["code"] not in ("mm1", "mm2")]
    assert unanswered and all(p["estimate"] is None and p["note_text"] for p in unanswered)
    channels = {c["code"]: c for c in document["channels"]}
    assert channels["truc_tuyen"]["estimate"] == pytest.approx(0.5)
    assert channels["ca_hai"]["estimate"] == pytest.approx(0.0)
    assert all(c["n"] == 16 for c in channels.values())


def test_a_wave_where_nobody_answered_the_items_reports_dashes(app, db_session):
    document = _document(_wave(db_session, [(k % 2, {}) for k in range(12)]))
    assert all(g["answered"] == 0 and g["categories"] == [] for g in document["groups"])
    assert all(p["estimate"] is None and p["rank"] is None for p in document["priorities"])
    assert all(c["estimate"] is None and c["note_text"] for c in document["channels"])


def test_the_frame_carries_only_the_declared_items(app, db_session):
    from survey.frame.load import DEFAULT_EXCLUDE
    from survey.reports.data import wave_frame

    wave = _wave(db_session, [(0, {"gender": "nu", "informal_payment": "khong_gap", "comments": "Tốt"})] * 6)
    frame, _ = wave_frame(db.session, wave, DEFAULT_EXCLUDE)
    answers = sorted(c.removeprefix(ANSWER_PREFIX) for c in frame.columns if c.startswith(ANSWER_PREFIX))
    assert answers == sorted(["gender", "age_band", "ethnicity", "education", "occupation", "submit_channel"]
                             + [f"mm{k}" for k in range(1, 11)])
    assert list(frame[ANSWER_PREFIX + "gender"]) == ["nu"] * 6
