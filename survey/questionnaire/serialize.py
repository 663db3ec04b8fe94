"""The questionnaire back to plain data, in the same shape as the YAML file.

This is what a published version stores (as JSON) and what
:func:`~survey.questionnaire.loader.from_dict` reads; optional keys left at their
defaults are omitted so the stored definition stays as short as the file.
"""
from __future__ import annotations

from typing import Any


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    # identity, not equality: a minimum of 0 must survive although 0 == False
    return {key: value for key, value in mapping.items()
            if value is not None and value is not False}


def _text(text: dict[str, str] | None) -> dict[str, str] | None:
    return dict(text) if text else None


def _item(item) -> dict[str, Any]:
    return _drop_empty({
        "code": item.code, "type": item.type, "label": _text(item.label), "hint": _text(item.hint),
        "choices": item.choices.name if item.choices else None, "required": item.required,
        "relevant": item.relevant.source if item.relevant else None,
        "min": item.minimum, "max": item.maximum, "points": item.points, "audio": _text(item.audio),
    })


def _section(section) -> dict[str, Any]:
    return _drop_empty({
        "code": section.code, "title": _text(section.title), "hint": _text(section.hint),
        "relevant": section.relevant.source if section.relevant else None,
        "items": [_item(item) for item in section.items],
    })


def _page(page) -> dict[str, Any]:
    return _drop_empty({
        "code": page.code, "title": _text(page.title), "optional": page.optional,
        "relevant": page.relevant.source if page.relevant else None,
        "sections": [_section(section) for section in page.sections],
    })


def _node(node) -> dict[str, Any]:
    return _drop_empty({
        "code": node.code, "label": _text(node.label), "aggregate": node.aggregate,
        "children": list(node.children), "weights": list(node.weights) if node.weights else None,
    })


def questionnaire_to_dict(questionnaire) -> dict[str, Any]:
    q = questionnaire
    choice_lists = {
        name: [_drop_empty({"value": c.value, "label": _text(c.label), "no_answer": c.no_answer,
                     "share": c.share, "audio": _text(c.audio)})
               for c in choice_list.choices]
        for name, choice_list in q.choice_lists.items()
    }
    index = _drop_empty({"item_score": q.index.item_score, "total": q.index.total, "target": q.index.target,
                         "nodes": [_node(node) for node in q.index.nodes]})
    blocks = [_drop_empty({"code": block.code, "label": _text(block.label), "pages": list(block.pages),
                           "share": block.share}) for block in q.blocks]
    return _drop_empty({
        "code": q.code, "kind": q.kind, "title": _text(q.title), "description": _text(q.description),
        "languages": list(q.languages), "draft_languages": list(q.draft_languages) or None,
        "choice_lists": choice_lists, "pages": [_page(page) for page in q.pages], "index": index,
        "assigned_blocks": blocks or None, "wave_prefix": q.wave_prefix,
        "report": q.report.to_dict() or None if q.report else None,
    })
