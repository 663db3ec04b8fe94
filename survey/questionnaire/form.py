"""A questionnaire page as a form (citizens and leaders alike), built from its visible items.

Each page of a questionnaire becomes a form class with one field per visible item; the
answers to other pages travel in the signed `state` field, so nothing depends on a server
session that could expire while a phone sits in a queue.
"""

from __future__ import annotations

import weakref
from typing import Any

from wtforms import IntegerField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from survey.enums import ItemType
from survey.forms import VIETNAMESE_MESSAGES, VietnameseForm, choice_list
from survey.i18n import chrome
from survey.questionnaire import Item, QuestionnaireDefinition

FREE_TEXT_MAX = 2000

class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (select_many)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionnairePageForm(VietnameseForm):
    """One page of a questionnaire; item fields are added per page by `page_form`.

    The encrypted state travels in a hidden input the page template writes itself
    (`respond/page.html`, `leaders/page.html`): it is read from the post by the flow that
    rendered it (`survey.respond.state`, `survey.leaders.views`), not validated here.
    """


def message(language: str, key: str, **values: Any) -> str:
    """A validation message in the respondent's language (Vietnamese by default)."""
    return chrome(language)[key].format(**values)


def _field_for(questionnaire: QuestionnaireDefinition, item: Item, language: str):
    label = questionnaire.text(item.label, language)
    hint = questionnaire.text(item.hint, language) if item.hint else ""
    if item.type in (ItemType.SELECT_ONE, ItemType.LIKERT, ItemType.GRADED):
        required = InputRequired(message(language, "choose")) if item.required else Optional()
        choices = choice_list(
            (c.value, questionnaire.text(c.label, language)) for c in item.choices.choices
        )
        return RadioField(label, choices=choices, validators=[required], description=hint)
    if item.type == ItemType.SELECT_MANY:
        required = InputRequired(message(language, "choose_some")) if item.required else Optional()
        choices = choice_list(
            (c.value, questionnaire.text(c.label, language)) for c in item.choices.choices
        )
        return MultiCheckboxField(label, choices=choices, validators=[required], description=hint)
    if item.type == ItemType.INTEGER:
        low = item.minimum if item.minimum is not None else 0
        high = item.maximum if item.maximum is not None else 10**6
        bounds = NumberRange(low, high, message(language, "number", minimum=low, maximum=high))
        first = InputRequired(message(language, "number", minimum=low, maximum=high))
        return IntegerField(
            label, validators=[first if item.required else Optional(), bounds], description=hint
        )
    too_long = Length(max=FREE_TEXT_MAX, message=message(language, "too_long", maximum=FREE_TEXT_MAX))
    first = InputRequired(message(language, "choose")) if item.required else Optional()
    return TextAreaField(label, validators=[first, too_long], description=hint)


def page_form(
    questionnaire: QuestionnaireDefinition, items: list[Item], language: str, formdata=None, data=None,
    csrf: bool = True,
) -> QuestionnairePageForm:
    """A form for `items` of one page, bound to posted `formdata` or to earlier answers.

    `csrf=False` for a page whose address already carries a secret (a leader's token).
    """
    form_class = _page_form_class(questionnaire, tuple(item.code for item in items), language)
    return form_class(formdata=formdata, data=data, meta={} if csrf else {"csrf": False})


# One form class per (questionnaire, page's visible items, language), built on first use: a
# questionnaire definition never changes once parsed, and building the class and its fields is a
# third of a page post's CPU. Keyed by the definition object, so a new version gets new classes.
_FORM_CLASSES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _page_form_class(questionnaire: QuestionnaireDefinition, codes: tuple[str, ...], language: str) -> type:
    classes = _FORM_CLASSES.setdefault(questionnaire, {})
    key = (codes, language)
    if key not in classes:
        class PageForm(QuestionnairePageForm):
            class Meta:
                def get_translations(self, form):
                    # WTForms' built-in messages: Vietnamese for vi, WTForms' own English otherwise
                    return VIETNAMESE_MESSAGES if language == "vi" else None

        for code in codes:
            setattr(PageForm, code, _field_for(questionnaire, questionnaire.items_by_code[code], language))
        classes[key] = PageForm
    return classes[key]


def answer_of(form: QuestionnairePageForm, item: Item) -> Any:
    """The stored form of one field's answer: a string, a list for select_many, or None."""
    value = form[item.code].data
    if value in (None, "", []):
        return None
    if item.type == ItemType.SELECT_MANY:
        return [str(v) for v in value]
    return str(value).strip() if item.type == ItemType.TEXT else str(value)
