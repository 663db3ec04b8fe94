"""The questionnaires shipped in questionnaires/: SIPAS 2026 and the PAR Index leaders' survey.

Counts follow the SIPAS method (Quyết định 1001/QĐ-BNV) as laid out in issue 3.
"""
from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from survey.questionnaire import QuestionnaireDefinition, check_questionnaire, from_dict, load_directory
from survey.setup.seed import SERVICE_FIELDS

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
SIPAS = QUESTIONNAIRES / "sipas-2026.yaml"
LEADERS = QUESTIONNAIRES / "par-leaders-2026.yaml"
SERVICE_ELEMENTS = {"access": 4, "procedures": 4, "civil_servants": 5, "results": 3, "feedback": 3}
POLICY_CONTENTS = {"accountability": 2, "participation": 2, "suitability": 9, "results_impact": 2}


@pytest.fixture(scope="module")
def sipas() -> QuestionnaireDefinition:
    return check_questionnaire(SIPAS)[0]


@pytest.fixture(scope="module")
def leaders() -> QuestionnaireDefinition:
    return check_questionnaire(LEADERS)[0]


@pytest.mark.parametrize("path", [SIPAS, LEADERS], ids=lambda p: p.name)
def test_loads_without_problems(path):
    questionnaire, problems = check_questionnaire(path)
    assert problems == []
    assert questionnaire.languages == ("vi", "en")


def test_the_directory_loads(sipas, leaders):
    assert [q.code for q in load_directory(QUESTIONNAIRES)] == ["business-2026", "par-leaders-2026", "sipas-2026"]


def texts(value):
    """Every translated string mapping in a definition."""
    if isinstance(value, dict):
        if "vi" in value and all(isinstance(v, str) for v in value.values()):
            yield value
        else:
            for child in value.values():
                yield from texts(child)
    elif isinstance(value, list):
        for child in value:
            yield from texts(child)


@pytest.mark.parametrize("path", [SIPAS, LEADERS], ids=lambda p: p.name)
def test_every_declared_language_is_complete(path):
    questionnaire = check_questionnaire(path)[0]
    found = list(texts(questionnaire.to_dict()))
    assert len(found) > 50
    for text in found:
        assert set(text) == set(questionnaire.languages), text
        assert all(value.strip() for value in text.values()), text


@pytest.mark.parametrize("path", [SIPAS, LEADERS], ids=lambda p: p.name)
def test_vietnamese_is_written_with_diacritics(path):
    questionnaire = check_questionnaire(path)[0]
    for item in questionnaire.likert_items + questionnaire.graded_items:
        assert not item.label["vi"].isascii(), item.code


@pytest.mark.parametrize("path", [SIPAS, LEADERS], ids=lambda p: p.name)
def test_round_trips_through_json(path):
    questionnaire = check_questionnaire(path)[0]
    stored = json.loads(json.dumps(questionnaire.to_dict(), ensure_ascii=False))
    again = from_dict(stored)
    assert again == questionnaire
    assert again.checksum == questionnaire.checksum
    assert again.to_dict() == questionnaire.to_dict()


def test_checksum_follows_the_content(sipas):
    title = {**sipas.title, "vi": sipas.title["vi"] + "."}
    assert replace(sipas, title=title).checksum != sipas.checksum
    assert len(sipas.checksum) == 64
    assert hash(from_dict(sipas.to_dict())) == hash(sipas)


def test_service_delivery_has_19_items_in_five_elements(sipas):
    assert sipas.index.node("service").children == tuple(SERVICE_ELEMENTS)
    for element, count in SERVICE_ELEMENTS.items():
        codes = sipas.index.items_under(element)
        assert len(codes) == count
        assert all(sipas.items_by_code[code].type == "likert" for code in codes)
    assert len(sipas.index.items_under("service")) == 19


def test_policy_has_15_items_in_four_contents_in_the_assigned_block(sipas):
    assert sipas.index.node("policy").children == tuple(POLICY_CONTENTS)
    for content, count in POLICY_CONTENTS.items():
        assert len(sipas.index.items_under(content)) == count
    policy = set(sipas.index.items_under("policy"))
    assert len(policy) == 15
    pages = {page.code for page in sipas.pages if policy & {item.code for item in page.items}}
    (block,) = sipas.blocks
    assert (block.code, set(block.pages)) == ("policy", pages)
    assert block.share == 1 / 3  # one respondent in three, drawn at random
    assert not any(page.optional for page in sipas.pages)
    assert all(item.choices.choice("0").no_answer for item in sipas.items if item.code in policy)


def test_a_respondent_not_drawn_for_the_block_is_never_asked_it(sipas):
    unassigned, assigned = sipas.asked(()), sipas.asked(["policy"])
    assert assigned is sipas and sipas.asked(["policy", "unknown"]) is sipas
    assert [page.code for page in unassigned.pages] == [page.code for page in sipas.pages[:-2]]
    assert not set(unassigned.items_by_code) & set(sipas.index.items_under("policy"))
    answers = {"cs_gt1": "4", "tc1": "5"}
    assert unassigned.relevant_answers(answers) == {"tc1": "5"}
    assert assigned.relevant_answers(answers) == answers
    assert sipas.asked(()) is unassigned  # derived once


def test_index_tree_and_scoring(sipas):
    assert sipas.index.root.code == "sipas"
    assert sipas.index.root.children == ("service", "policy")
    assert sipas.index.item_score == "share_satisfied"
    assert all(node.aggregate == "mean" and node.weights is None for node in sipas.index.nodes)


def test_every_likert_item_offers_khong_tra_loi(sipas):
    for item in sipas.likert_items:
        assert item.choices.values == ("1", "2", "3", "4", "5", "0")
        assert item.choices.choice(0).no_answer and item.choices.choice(0).label["vi"] == "Không trả lời"
        assert item.score("0") is None and item.score(None) is None and item.score("4") == 4


def test_service_field_choices(sipas):
    field = sipas.items_by_code["field"]
    assert field.type == "select_one" and field.required
    assert field.choices.values == (
        "dat_dai", "ho_tich", "tu_phap_chung_thuc", "xay_dung", "kinh_doanh", "noi_vu",
        "nong_nghiep_moi_truong", "y_te", "giao_duc", "khac")
    assert field.choices.choice("ho_tich").label["vi"] == "Hộ tịch"
    # the seed's service fields are the questionnaire's, code for code and name for name
    assert [(c.value, c.label["vi"]) for c in field.choices.choices] == SERVICE_FIELDS
    assert sipas.pages[sipas.page_index("p_procedures")].items[0] is field


def test_demographics_opinions_and_expectations(sipas):
    values = {code: sipas.items_by_code[code].choices.values
              for code in ("gender", "age_band", "ethnicity", "harassment", "informal_payment",
                           "submit_channel")}
    assert values["gender"] == ("nam", "nu", "khong_tra_loi")
    assert values["age_band"] == ("18-25", "26-34", "35-49", "50-60", "60+", "khong_tra_loi")
    assert {"kinh", "ede", "jrai", "mnong", "tay", "nung", "thai", "muong", "dao", "mong", "cham", "bana",
            "sanchay", "khac"} <= set(values["ethnicity"])
    assert values["harassment"] == values["informal_payment"] == ("khong_gap", "vai_lan", "nhieu_lan")
    opinions = sipas.items_by_code["harassment"].choices
    assert [c.label["vi"] for c in opinions.choices] == ["Không gặp", "Có, một vài lần", "Có, nhiều lần"]
    about_you = sipas.pages[sipas.page_index("p_about_you")]
    for item in about_you.items:
        assert not item.required, item.code
        if item.choices is not None:
            assert item.choices.choice("khong_tra_loi").label["vi"] == "Không muốn trả lời", item.code
    assert "18" in sipas.text(sipas.items_by_code["age_band"].hint, "vi")
    assert values["submit_channel"] == ("truc_tiep", "truc_tuyen", "ca_hai")
    assert {"education", "occupation"} <= set(sipas.items_by_code)
    expectations = [item for item in sipas.items if item.code.startswith("mm")]
    assert len(expectations) == 10
    assert {item.choices.values for item in expectations} == {("rat_nhieu", "nhieu", "it")}
    other = sipas.items_by_code["other_comments"]
    assert other.type == "text" and other.label["vi"] == "Ý kiến khác"


def test_the_citizens_path_is_short_and_service_first(sipas):
    everyone = sipas.asked(())
    assert [page.code for page in sipas.pages[-2:]] == list(sipas.blocks[0].pages)
    assert sipas.page_index("p_access") == 0
    assert everyone.pages[-1].code == "p_about_you"
    assert all(len(page.items) <= 7 for page in everyone.pages if page.code != "p_expectations")


def test_feedback_element_only_after_a_feedback(sipas):
    page = sipas.pages[sipas.page_index("p_results")]
    shown = [item.code for item in sipas.visible_items(page, {"feedback_made": "co"})]
    assert shown == ["kq1", "kq2", "kq3", "feedback_made", "gy1", "gy2", "gy3"]
    assert [item.code for item in sipas.visible_items("p_results", {"feedback_made": "khong"})] == [
        "kq1", "kq2", "kq3", "feedback_made"]
    answers = {"kq1": "4", "feedback_made": "khong", "gy1": "5"}
    assert sipas.relevant_answers(answers) == {"kq1": "4", "feedback_made": "khong"}


def test_missing_required_counts_khong_tra_loi_as_an_answer(sipas):
    answers = {"kq1": "0", "kq2": "5", "feedback_made": "co", "gy1": "4"}
    missing = sipas.missing_required("p_results", answers)
    assert [item.code for item in missing] == ["kq3", "gy2", "gy3"]


def test_text_falls_back_to_vietnamese(sipas):
    label = sipas.items_by_code["tc1"].label
    assert sipas.text(label, "en").startswith("Information")
    assert sipas.text(label, "ede") == label["vi"]


PAR_FIELDS = {"direction": 2, "institutions": 2.5, "procedures": 3, "organisation": 2.5,
              "civil_service": 3, "public_finance": 2, "digital_government": 3, "impact": 4}
"""Points per PAR field of the province's own item list; the block total is 22 as in 2025."""


def test_leaders_questionnaire_is_scoring_data(leaders):
    assert leaders.kind == "leader"
    assert leaders.choice_lists["respondent_group"].values == (
        "dai_bieu_hdnd", "lanh_dao_so", "truong_phong", "lanh_dao_xa")
    assert "respondent_group" not in leaders.items_by_code  # the group comes from the roster
    assert leaders.index.item_score == "points" and leaders.index.total == 22
    root = leaders.index.root
    assert root.code == "par_survey" and root.children == tuple(PAR_FIELDS)
    for field, points in PAR_FIELDS.items():
        criteria = [leaders.items_by_code[code] for code in leaders.index.items_under(field)]
        assert sum(item.points for item in criteria) == pytest.approx(points)
        assert all(leaders.index.parent_of(item.code).code == field for item in criteria)
    assert sum(item.points for item in leaders.graded_items) == pytest.approx(22)


def test_every_criterion_offers_a_to_d_and_cannot_assess(leaders):
    for item in leaders.graded_items:
        assert item.required and item.choices.values == ("a", "b", "c", "d", "e")
        assert item.choices.choice("e").no_answer
        assert item.choices.choice("e").label["vi"] == "Không đánh giá được"
        assert item.choices.shares == {"a": 1.0, "b": 0.6, "c": 0.2, "d": 0.0}
        assert item.share("b") == 0.6 and item.share("e") is None and item.share(None) is None


def test_one_form_of_address_and_no_repeated_headings(sipas):
    """Citizens are "Ông/Bà" everywhere (official SIPAS forms); no heading repeats the one above."""
    from survey.i18n import chrome

    texts = [sipas.text(t, "vi") for t in _all_texts(sipas)] + list(chrome("vi").values())
    assert not [t for t in texts if "Anh/Chị" in t or "Bạn " in t or " bạn" in t]
    assert any("Ông/Bà" in t for t in texts)
    for page in sipas.pages:
        page_title = sipas.text(page.title, "vi")
        assert "Phần tự chọn" not in page_title  # the progress line already says so
        for section in page.sections:
            assert sipas.text(section.title, "vi") != page_title, page.code


def _all_texts(sipas):
    yield sipas.title
    yield sipas.description
    for page in sipas.pages:
        yield page.title
        for section in page.sections:
            yield section.title
            yield section.hint
            for item in section.items:
                yield item.label
                yield item.hint
                if item.choices is not None:
                    yield from (c.label for c in item.choices.choices)


@pytest.mark.parametrize("path", [SIPAS, LEADERS], ids=lambda p: p.name)
def test_remembered_visibility_is_what_a_fresh_walk_shows(path):
    """`visible_by_page` remembers its walk by the answers the skip logic reads (issue 27): over
    many answer sets, the remembered result equals a walk of a definition that never saw one."""
    warm = check_questionnaire(path)[0]
    items = warm.items_by_code
    rng = random.Random(27)
    values = {}
    for code in warm.relevance_references:
        choices = [c.value for c in items[code].choices.choices] if items[code].choices else ["1", "7"]
        values[code] = [None, "", *choices, [choices[0]], choices[:2], int(choices[0]) if choices[0].isdigit() else 0]
    checked = set()
    for _ in range(400):
        answers = {code: rng.choice(options) for code, options in values.items() if rng.random() < 0.8}
        fresh = replace(warm)  # a new definition object: nothing remembered yet
        expected = fresh.visible_by_page(answers)
        assert warm.visible_by_page(answers) == expected
        assert warm.visible_by_page(answers) == expected  # the second time from memory
        checked.add(tuple(item.code for shown in expected.values() for item in shown))
    assert len(checked) > 1 or not warm.relevance_references  # the skip logic was exercised
