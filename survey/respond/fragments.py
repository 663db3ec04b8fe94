"""A choice question's markup, rendered once and reused.

A radio or checkbox question renders the same bytes whenever its field (label, hint, choices,
language, whether it is required), its answer, its errors and its "new" mark are the same;
rendering it through the `question` macro was the largest single cost of a citizen page post.
Other fields (text, numbers) echo what was typed and are rendered every time.
"""

from __future__ import annotations

from flask import current_app
from markupsafe import Markup

from survey.questionnaire import Item

CHOICE_FIELDS = ("RadioField", "MultiCheckboxField")
MAX_KEPT = 4096  # a few questionnaires × languages × answers × error states; emptied when full

_kept: dict[tuple, Markup] = {}


def question_markup(f, item: Item, new: bool = False) -> Markup:
    """The `question` macro's output for field `f` of `item`, from the store when seen before."""
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


def _macro():
    return current_app.jinja_env.get_template("_macros.html").module.question
