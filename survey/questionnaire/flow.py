"""Which page comes next, given the skip logic and the optional part: the same for every flow."""

from __future__ import annotations

from survey.questionnaire.model import QuestionnaireDefinition


def mandatory_pages(questionnaire: QuestionnaireDefinition) -> int:
    """How many pages come before the optional part."""
    return sum(1 for page in questionnaire.pages if not page.optional)


def next_page(questionnaire: QuestionnaireDefinition, answers: dict, page: int, step: int) -> int | None:
    """The nearest page after (step=1) or before (step=-1) `page` that shows any item."""
    shown = questionnaire.visible_by_page(answers)
    candidate = page + step
    while 0 <= candidate < len(questionnaire.pages):
        if shown[questionnaire.pages[candidate].code]:
            return candidate
        candidate += step
    return None


def first_missing_page(questionnaire: QuestionnaireDefinition, answers: dict, upto: int) -> int | None:
    """The first page up to `upto` (inclusive) with a required item left blank."""
    missing = questionnaire.missing_by_page(answers)
    for number, page in enumerate(questionnaire.pages[: upto + 1]):
        if missing[page.code]:
            return number
    return None
