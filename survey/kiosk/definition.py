"""The whole questionnaire of a wave as one JSON document, for the kiosk to render offline.

Skip logic travels as the parsed expression trees of `survey.questionnaire.relevance` (nested
lists: ``["==", ["ref", "q1", 2], ["lit", "co"]]``), which `kiosk.js` evaluates with the same
rules as `relevance._eval`; nothing is parsed on the tablet. The server checks every submission
against the definition again (`survey.kiosk.submissions`), so the tablet's evaluation decides
only what is shown, never what is stored.
"""

from __future__ import annotations

from typing import Any

from survey.i18n import chrome, languages
from survey.models import ServiceCentre, Wave
from survey.questionnaire import QuestionnaireDefinition

CHROME_KEYS = ("next", "back", "submit", "submit_now", "optional", "optional_part", "page_of", "anonymous",
               "choose", "choose_some", "number", "too_long", "fix_errors", "thanks_title", "language")
"""The citizen form's own strings the kiosk shows, in every language offered."""


def _tree(expression) -> Any:
    return None if expression is None else _lists(expression.tree)


def _lists(node: Any) -> Any:
    return [_lists(part) for part in node] if isinstance(node, tuple) else node


def _item(item) -> dict[str, Any]:
    return {
        "code": item.code, "type": str(item.type), "label": item.label, "hint": item.hint,
        "required": item.required, "relevant": _tree(item.relevant), "min": item.minimum, "max": item.maximum,
        "choices": [{"value": c.value, "label": c.label} for c in item.choices.choices] if item.choices else None,
    }


def kiosk_definition(questionnaire: QuestionnaireDefinition, wave: Wave, centre: ServiceCentre) -> dict[str, Any]:
    """What the kiosk needs to run a questionnaire without the server: pages, skip logic, texts."""
    offered = languages(questionnaire.languages)
    return {
        "wave": wave.id,
        "centre": {"code": centre.code, "name": centre.name},
        "title": questionnaire.title,
        "languages": offered,
        "blocks": [{"code": block.code, "pages": list(block.pages), "share": share}
                   for block, share in zip(questionnaire.blocks,
                                           questionnaire.block_shares(wave.assigned_share).values(), strict=True)],
        "pages": [{
            "code": page.code, "title": page.title, "optional": page.optional, "relevant": _tree(page.relevant),
            "sections": [{
                "code": section.code, "title": section.title, "hint": section.hint,
                "relevant": _tree(section.relevant),
                "items": [_item(item) for item in section.items],
            } for section in page.sections],
        } for page in questionnaire.pages],
        "text": {language: {key: chrome(language)[key] for key in CHROME_KEYS} for language in offered},
    }
