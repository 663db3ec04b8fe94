"""Each of the 21 PAR criteria is answered on a scale that fits its wording (issue 25 review).

The 2026 file asked th1 ("ban hành đúng thẩm quyền, phù hợp thực tiễn") on a timeliness scale.
The review read every criterion with its choice list; the table below is its outcome: a claim
(a subject with the standard it should meet) is answered by how far one agrees with it, a
division of powers by how reasonable it is, an activity by its effect or quality, an issuing
date by its timeliness, a change since last year by its direction. Whatever the wording, the
score keeps its structure: A–D earn 100/60/20/0 % of the points (the change list writes its
shares out) and E, "Không đánh giá được", is not scored.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from analysis.par import Criterion
from survey.leaders.scores import criteria_of
from survey.models import QuestionnaireVersion
from survey.questionnaire import check_questionnaire
from tests.factories import LEADERS_FILE, make_wave

SCALE_OF = {
    "cd1": "timely", "cd2": "effective",
    "th1": "agreement", "th2": "effective",
    "tt1": "effective", "tt2": "effective", "tt3": "quality",
    "tc1": "effective", "tc2": "reasonable",
    "cv1": "agreement", "cv2": "quality", "cv3": "effective",
    "tcc1": "effective", "tcc2": "agreement",
    "cq1": "agreement", "cq2": "effective", "cq3": "quality",
    "td1": "change", "td2": "change", "td3": "change", "td4": "change",
}
FIRST_OPTION = {  # the top of each scale, as a leader reads it
    "timely": "Rất kịp thời", "effective": "Rất hiệu quả", "quality": "Rất tốt",
    "agreement": "Hoàn toàn đồng ý", "reasonable": "Rất hợp lý", "change": "Tốt hơn nhiều",
}
SHARES = {"a": 1.0, "b": 0.6, "c": 0.2, "d": 0.0}


@pytest.fixture(scope="module")
def leaders():
    questionnaire, problems = check_questionnaire(LEADERS_FILE)
    assert problems == []
    return questionnaire


def test_every_criterion_has_the_scale_chosen_for_its_wording(leaders):
    chosen = {item.code: item.choices.name for item in leaders.graded_items}
    assert chosen == SCALE_OF
    for item in leaders.graded_items:
        assert item.choices.choices[0].label["vi"] == FIRST_OPTION[chosen[item.code]], item.code


def test_a_claim_is_not_rated_by_timeliness_or_quality(leaders):
    """th1 states what the province's legal documents should be: agreeing is what fits."""
    th1 = leaders.items_by_code["th1"]
    assert "đúng thẩm quyền, phù hợp thực tiễn" in th1.label["vi"]
    assert [c.label["vi"] for c in th1.choices.choices] == [
        "Hoàn toàn đồng ý", "Đồng ý", "Đồng ý một phần", "Không đồng ý", "Không đánh giá được"]


@pytest.mark.parametrize("name", sorted(set(SCALE_OF.values())))
def test_every_scale_keeps_the_scores_structure(leaders, name):
    choices = leaders.choice_lists[name]
    assert [c.value for c in choices.graded] == ["a", "b", "c", "d"]
    assert choices.shares == SHARES
    assert [c.value for c in choices.choices if c.no_answer] == ["e"]
    assert all(set(c.label) == {"vi", "en"} for c in choices.choices)


def test_the_points_are_those_the_score_uses(leaders):
    criteria = criteria_of(leaders)
    assert len(criteria) == 21 and all(isinstance(c, Criterion) for c in criteria)
    assert sum(c.points for c in criteria) == pytest.approx(22)
    assert all(dict(c.shares) == SHARES for c in criteria)


def test_the_revised_file_is_published_as_a_new_version_beside_the_first(runner, db_session, tmp_path):
    """A wave opened on the first 2026 wording keeps it; the revised file becomes v2."""
    first = tmp_path / "par-leaders-2026.yaml"
    first.write_text(LEADERS_FILE.read_text(encoding="utf-8").replace(
        "code: th1\n            type: graded\n            choices: agreement",
        "code: th1\n            type: graded\n            choices: timely"), encoding="utf-8")
    assert runner.invoke(args=["questionnaire", "publish", str(first)]).exit_code == 0
    old = db_session.scalars(select(QuestionnaireVersion)).one()
    wave = make_wave(db_session, old, code="PAR-2026Q3")
    db_session.commit()

    result = runner.invoke(args=["questionnaire", "publish", str(LEADERS_FILE)])
    assert result.exit_code == 0, result.output
    assert "đã công bố thành par-leaders-2026 v2" in result.output
    th1 = next(item for page in wave.questionnaire_version.definition["pages"]
               for section in page["sections"] for item in section["items"] if item["code"] == "th1")
    assert wave.questionnaire_version.number == 1 and th1["choices"] == "timely"
