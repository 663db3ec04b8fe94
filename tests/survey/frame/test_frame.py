"""The analysis frame: one row per kept response with design columns, weights and scores."""

import datetime as dt
import math

import pytest

from survey.frame.compact import SAID_PREFIX, Opinions, likert_codes_of
from survey.frame.load import DEFAULT_EXCLUDE, FRAME_COLUMNS, analysis_frame
from survey.models import AdminCount, ReviewStatus, ServiceCentre
from tests.factories import make_centre, make_field, make_locality, make_response, make_wave

# 09:30 in Asia/Ho_Chi_Minh (UTC+7) on Thursday 1 October 2026
MORNING = dt.datetime(2026, 10, 1, 2, 30, tzinfo=dt.timezone.utc)


@pytest.fixture
def wave_with_responses(db_session):
    a = make_centre(db_session, make_locality(db_session, code="24001", name="Xã A"))
    tinh = ServiceCentre(code="tinh", name="Trung tâm tỉnh")
    db_session.add(tinh)
    ho_tich, dat_dai = make_field(db_session, "ho_tich"), make_field(db_session, "dat_dai", "Đất đai")
    wave = make_wave(db_session, code="2026Q4")
    answers = {"tc1": "5", "tc2": "0", "tt1": "3"}  # tc2: "Không trả lời"
    for i in range(6):
        make_response(db_session, wave, a, answers, field=ho_tich, submitted_at=MORNING + dt.timedelta(minutes=i),
                      compact=i % 2 == 0)
    make_response(db_session, wave, a, answers, field=ho_tich, flags=["burst", "speeder"], submitted_at=MORNING)
    make_response(db_session, wave, a, answers, field=ho_tich, flags=["speeder"], submitted_at=MORNING)
    for _ in range(5):
        make_response(db_session, wave, tinh, answers, field=dat_dai,
                      submitted_at=MORNING + dt.timedelta(days=1, hours=6))
    excluded = make_response(db_session, wave, tinh, answers, field=dat_dai, submitted_at=MORNING)
    excluded.review_status = ReviewStatus.EXCLUDED
    db_session.commit()
    return wave, a, tinh, ho_tich, dat_dai


def test_unweighted_without_counts_and_design_columns(db_session, wave_with_responses):
    wave, *_ = wave_with_responses
    frame, report = analysis_frame(db_session, wave)
    items = list(likert_codes_of(wave.questionnaire_version.definition))
    assert list(frame.columns) == FRAME_COLUMNS + items + ["assigned_policy"]
    assert (frame["assigned_policy"] == 1).all()  # stored without a draw: offered to all, as before
    assert not report.weighted and report.unweighted_notice_vi() is not None
    assert "UNWEIGHTED" in report.lines()[0]
    assert (frame["design_weight"] == 1).all()
    assert report.n_responses == 14 and report.n_kept == 12 == len(frame)
    assert report.flag_counts == {"burst": 1, "speeder": 2}
    assert report.excluded == {"burst": 1, "review": 1}
    assert report.exclude == DEFAULT_EXCLUDE
    local = frame[frame.centre_code == "24001"]
    assert set(local["stratum"]) == {"24001"} and set(local["locality_name"]) == {"Xã A"}
    assert set(local["psu"]) == {"24001:2026-10-01"}
    assert set(local["time_band"]) == {"09-11"}
    provincial = frame[frame.centre_code == "tinh"]
    assert set(provincial["stratum"]) == {"tinh"} and set(provincial["locality_code"]) == {"tinh"}
    assert set(provincial["psu"]) == {"tinh:2026-10-02"} and set(provincial["time_band"]) == {"15-17"}
    # compact scores and the answer table give the same numbers; "Không trả lời" is missing
    assert frame["tc1"].tolist() == [5.0] * 12 and frame["tt1"].tolist() == [3.0] * 12
    assert all(math.isnan(v) for v in frame["tc2"]) and all(math.isnan(v) for v in frame["cc1"])
    assert frame["quality_flags"].tolist().count("speeder") == 1


def test_weights_from_counts_and_exclusion_choice(db_session, wave_with_responses):
    wave, a, tinh, ho_tich, dat_dai = wave_with_responses
    db_session.add_all([
        AdminCount(centre_id=a.id, field_id=ho_tich.id, quarter="2026Q4", dossiers_resolved=140),
        AdminCount(centre_id=tinh.id, field_id=dat_dai.id, quarter="2026Q4", dossiers_resolved=50),
        AdminCount(centre_id=tinh.id, field_id=dat_dai.id, quarter="2026Q3", dossiers_resolved=999),
    ])
    db_session.commit()
    frame, report = analysis_frame(db_session, wave)
    assert report.weighted and report.total_dossiers == 190
    assert set(frame.loc[frame.centre_code == "24001", "design_weight"]) == {140 / 7}
    assert set(frame.loc[frame.centre_code == "tinh", "design_weight"]) == {50 / 5}
    assert frame["design_weight"].sum() == pytest.approx(190)
    everything, report_all = analysis_frame(db_session, wave, exclude=(), psu="response", min_cell=2)
    assert len(everything) == 13 and report_all.excluded == {"review": 1}
    assert set(everything.loc[everything.centre_code == "24001", "design_weight"]) == {140 / 8}
    assert everything["psu"].tolist() == everything["response_id"].tolist()


def test_trimming_caps_weights_and_keeps_their_total(db_session, wave_with_responses):
    wave, a, tinh, ho_tich, dat_dai = wave_with_responses
    db_session.add_all([
        AdminCount(centre_id=a.id, field_id=ho_tich.id, quarter="2026Q4", dossiers_resolved=70),
        AdminCount(centre_id=tinh.id, field_id=dat_dai.id, quarter="2026Q4", dossiers_resolved=150),
    ])
    db_session.commit()
    frame, report = analysis_frame(db_session, wave, trim=2.0)
    # weights 10 (7 responses) and 30 (5): median 10, cap 20; the 5 × 10 above it go to the 7
    assert frame["design_weight"].sum() == pytest.approx(220)
    assert report.trimmed.n_trimmed == 5 and report.trimmed.cap == pytest.approx(2 * 10)
    assert report.trimmed.weight_moved == pytest.approx(50)
    assert set(frame.loc[frame.centre_code == "24001", "design_weight"].round(9)) == {round(10 + 50 / 7, 9)}
    assert frame["design_weight"].max() <= report.trimmed.cap + 1e-9
    with pytest.raises(ValueError):
        analysis_frame(db_session, wave, psu="centre")


def test_opinions_from_the_compact_copy_equal_the_answer_table(db_session):
    """Half the responses carry `opinions`, half are read from the answer table: same columns."""
    centre = make_centre(db_session, make_locality(db_session, code="24001", name="Xã A"))
    wave = make_wave(db_session, code="2026Q4")
    said = [{"harassment": "khong_gap", "informal_payment": "vai_lan"},
            {"harassment": "nhieu_lan"},
            {}]
    for i, answers in enumerate(said * 2):
        make_response(db_session, wave, centre, {"tc1": "4", **answers}, submitted_at=MORNING,
                      compact=i < len(said))
    db_session.commit()
    plain, _ = analysis_frame(db_session, wave)
    assert not any(c.startswith(SAID_PREFIX) for c in plain.columns)
    frame, _ = analysis_frame(db_session, wave, opinions=True)
    assert list(frame.columns[-2:]) == [f"{SAID_PREFIX}harassment", f"{SAID_PREFIX}informal_payment"]
    by_answers = {tuple(sorted(a.items())): i for i, a in enumerate(said)}
    expected = [[0.0, 1.0], [1.0, math.nan], [math.nan, math.nan]]
    got = frame[[f"{SAID_PREFIX}harassment", f"{SAID_PREFIX}informal_payment"]].to_numpy().tolist()
    assert len(got) == 6 and len(by_answers) == 3
    assert sorted(map(str, got)) == sorted(map(str, expected * 2))


def test_the_shipped_questionnaire_declares_its_opinion_items_and_their_no_occurrence_answer():
    """SIPAS declares harassment and informal payments, in that order (the order of the compact
    strings already stored), with "Không gặp" as the answer that reports nothing happened."""
    from survey.questionnaire import load_questionnaire
    from tests.factories import PROJECT_ROOT

    opinions = Opinions.of(load_questionnaire(PROJECT_ROOT / "questionnaires" / "sipas-2026.yaml"))
    assert opinions == Opinions(("harassment", "informal_payment"), ("khong_gap",))
    questionnaire = load_questionnaire(PROJECT_ROOT / "questionnaires" / "sipas-2026.yaml")
    for code in opinions.items:
        first = questionnaire.items_by_code[code].choices.choices[0]
        assert (first.value, first.label["vi"]) == ("khong_gap", "Không gặp")
    assert opinions.encode({"harassment": "khong_gap", "informal_payment": "nhieu_lan"}) == "01"
    assert opinions.encode({}) == ".."
    assert Opinions().encode({"harassment": "vai_lan"}) == ""  # a questionnaire declaring none keeps nothing
