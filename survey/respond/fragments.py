"""A choice question's markup, rendered once and reused.

A radio or checkbox question renders the same bytes whenever its field (label, hint, choices,
language, whether it is required), its answer, its errors and its "new" mark are the same;
rendering it through the `question` macro was the largest single cost of a citizen page post.
Other fields (text, numbers) echo what was typed and are rendered every time.

A page shown afresh (not re-shown with errors) goes further: its form is built only when a
question's markup is not kept yet (`FreshPage`), since building a WTForms form binds every field
of the page.
"""

from __future__ import annotations

import weakref
from functools import cached_property
from typing import Any, Callable

from flask import current_app
from markupsafe import Markup

from survey.enums import ItemType
from survey.questionnaire import Item, QuestionnaireDefinition

CHOICE_FIELDS = ("RadioField", "MultiCheckboxField")
CHOICE_ITEMS = (ItemType.SELECT_ONE, ItemType.LIKERT, ItemType.GRADED, ItemType.SELECT_MANY)
MAX_KEPT = 4096  # a few questionnaires × languages × answers × error states; emptied when full

_kept: dict[tuple, Markup] = {}
# Fresh pages' markup by questionnaire, then by (language, item code, answer, new mark).
_kept_fresh: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class FreshPage:
    """A page shown afresh with earlier answers: no errors, and its form built on first use."""

    errors: dict[str, list[str]] = {}

    def __init__(self, questionnaire: QuestionnaireDefinition, language: str, answers: dict[str, Any],
                 build: Callable[[], Any]):
        self.questionnaire, self.language, self.answers = questionnaire, language, answers
        self._build = build

    @cached_property
    def form(self):
        return self._build()

    def __getitem__(self, code: str):
        return self.form[code]


def question_markup(form, item: Item, new: bool = False) -> Markup:
    """The `question` macro's output for `item` of `form` (a form or a `FreshPage`), kept when
    its bytes depend only on the field and the answer."""
    if isinstance(form, FreshPage) and item.type in CHOICE_ITEMS:
        return _fresh_markup(form, item, new)
    f = form[item.code]
    if f.type not in CHOICE_FIELDS:
        return _macro()(f, item, new=new)
    data = tuple(f.data) if isinstance(f.data, list) else f.data
    key = (item.code, item.type, item.required, f.type, f.id, f.name, f.label.text, f.description,
           tuple((choice.value, choice.label) for choice in f.choices), f.flags.required, data, tuple(f.errors), new)
    markup = _kept.get(key)
    if markup is None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        markup = _kept[key] = _macro()(f, item, new=new)
    return markup


def _fresh_markup(page: FreshPage, item: Item, new: bool) -> Markup:
    # The questionnaire object (one per distinct definition) and the language fix the field;
    # the raw answer and the mark fix the rest, since a fresh page has no errors.
    answer = page.answers.get(item.code)
    kept = _kept_fresh.setdefault(page.questionnaire, {})
    key = (page.language, item.code, tuple(answer) if isinstance(answer, list) else answer, new)
    markup = kept.get(key)
    if markup is None:
        if len(kept) >= MAX_KEPT:
            kept.clear()
        markup = kept[key] = _macro()(page[item.code], item, new=new)
    return markup


def _macro():
    return current_app.jinja_env.get_template("_macros.html").module.question
