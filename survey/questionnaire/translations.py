"""Every translatable string of a questionnaire, each under a key that does not change between versions.

A translator works on a list of strings, not on the YAML tree (the XLSForm habit: one row per
string, the Vietnamese beside the translation). The keys name what a string belongs to by its
codes, so they survive reordering and new versions:

- ``title``, ``description``: the questionnaire's own;
- ``page.<page>.title``, ``section.<section>.title`` and ``.hint``, ``item.<item>.label`` and ``.hint``;
- ``choice.<list>.<value>.label``: an option of a choice list;
- ``block.<block>.label``: an assigned block, ``index.<node>.label``: a node of the index tree.

These are all the texts :func:`~survey.questionnaire.loader.from_dict` requires in every declared
language, so a questionnaire given a translation for each key is complete in that language.
The walk reads a definition in the file's shape (``QuestionnaireDefinition.to_dict()``) and hands
back the very mappings it holds, so setting ``entry.text[language]`` translates the definition.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
"""A place the program fills in, e.g. ``{pages}`` in "…thêm {pages} trang…"."""
BRACE = re.compile(r"[{}]")


@dataclass(frozen=True)
class Entry:
    """One translatable string: its key, where a respondent meets it (in Vietnamese), its texts."""

    key: str
    context: str
    text: dict[str, str]
    """The mapping from language code to text, as held in the definition (``vi`` is the source)."""


def entries(definition: dict[str, Any]) -> list[Entry]:
    """The translatable strings of ``definition`` (``to_dict()`` shape), in the order a respondent meets them."""
    return list(_walk(definition))


def _walk(definition: dict[str, Any]) -> Iterator[Entry]:
    yield from _texts("", definition, (("title", "Tên phiếu khảo sát"), ("description", "Lời giới thiệu đầu phiếu")))
    for page in definition.get("pages", []):
        yield from _texts(f"page.{page['code']}.", page, (("title", f"Tiêu đề trang {page['code']}"),))
        for section in page.get("sections", []):
            where = f"phần {section['code']}"
            yield from _texts(f"section.{section['code']}.", section,
                              (("title", f"Tiêu đề {where}"), ("hint", f"Hướng dẫn của {where}")))
            for item in section.get("items", []):
                where = f"câu hỏi {item['code']}"
                yield from _texts(f"item.{item['code']}.", item,
                                  (("label", where.capitalize()), ("hint", f"Gợi ý của {where}")))
    for name, choices in definition.get("choice_lists", {}).items():
        for choice in choices:
            yield from _texts(f"choice.{name}.{choice['value']}.", choice,
                              (("label", f"Lựa chọn “{choice['value']}” của danh sách {name}"),))
    for block in definition.get("assigned_blocks", []):
        yield from _texts(f"block.{block['code']}.", block,
                          (("label", f"Tên khối câu hỏi hỏi một phần người trả lời ({block['code']})"),))
    for node in definition.get("index", {}).get("nodes", []):
        yield from _texts(f"index.{node['code']}.", node,
                          (("label", f"Tên chỉ số thành phần {node['code']} (trong báo cáo)"),))


def _texts(prefix: str, holder: dict[str, Any], keys: tuple[tuple[str, str], ...]) -> Iterator[Entry]:
    for key, context in keys:
        if holder.get(key):
            yield Entry(f"{prefix}{key}", context, holder[key])


def placeholder_problem(source: str, target: str) -> str | None:
    """What is wrong with the places the program fills in ``target``, in Vietnamese; ``None`` if nothing.

    The translation must carry the same ``{name}`` places as the Vietnamese (the app fills
    them with ``str.format``) and no other brace, which would break that call.
    """
    wanted, found = Counter(PLACEHOLDER.findall(source)), Counter(PLACEHOLDER.findall(target))
    if wanted != found:
        missing = ", ".join(sorted((wanted - found).elements()))
        unknown = ", ".join(sorted((found - wanted).elements()))
        parts = [f"thiếu {missing}" if missing else "",
                 f"có {unknown} không có trong bản tiếng Việt" if unknown else ""]
        expected = ", ".join(sorted(wanted)) or "không có chỗ điền nào"
        return (f"chỗ điền tự động phải giữ nguyên như bản tiếng Việt ({expected}): "
                + "; ".join(part for part in parts if part))
    if BRACE.search(PLACEHOLDER.sub("", target)):
        return "có dấu ngoặc nhọn { } lẻ; chỉ giữ các chỗ điền tự động như bản tiếng Việt, không thêm dấu { }"
    return None
