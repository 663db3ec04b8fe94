"""Shape checks shared by the builder: keys, types, codes, translations, relevance syntax.

Each check records a :class:`Problem` with the line it concerns and carries on
with a harmless default, so one pass over a file finds every problem in it.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from . import relevance
from .problems import Problem
from .yamlsource import line_of

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
LANGUAGE = re.compile(r"^[a-z]{2,8}$")


def did_you_mean(word: Any, options: Any) -> str:
    # a low cutoff so that two-letter language codes ('vn' for 'vi') still get a suggestion
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


class ShapeChecker:
    """Collects problems for one file; ``languages`` decide which translations are required."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ("vi",)
        self.draft_languages: tuple[str, ...] = ()

    def problem(self, line: int | None, message: str, fix: str) -> None:
        self.problems.append(Problem(self.file, line, message, fix))

    def fields(self, data: Any, where: str, required: tuple, optional: tuple,
               line: int | None) -> Mapping | None:
        """``data`` if it is a mapping; reports missing and unknown keys."""
        if not isinstance(data, Mapping):
            self.problem(line, f"{where} must be a mapping of keys to values, "
                               f"not {type(data).__name__}", f"give it the keys {', '.join(required)}")
            return None
        line = line_of(data) or line
        if data.get("code") is not None and where.startswith(("a ", "an ")):
            where = f"{where.split(' ', 1)[1]} '{data['code']}'"  # "an item" -> "item 'q2'"
        for key in required:
            if data.get(key) is None:
                self.problem(line, f"{where} is missing the key '{key}'", f"add '{key}: ...'")
        for key in data:
            if key not in required + optional:
                self.problem(line_of(data, key), f"{where} has an unknown key '{key}'"
                             f"{did_you_mean(key, required + optional)}",
                             f"use only {', '.join(required + optional)}")
        return data

    def typed(self, data: Mapping, key: str, kind: type, where: str, default: Any = None):
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            wanted = {str: "text", bool: "true or false", int: "a whole number"}[kind]
            self.problem(line_of(data, key), f"{where}: '{key}' must be {wanted}, not {value!r}",
                         f"write '{key}: ' followed by {wanted}")
            return default
        return value

    def code(self, data: Mapping, key: str, where: str, pattern: re.Pattern = CODE) -> str:
        value = data.get(key)
        if value is None:
            return ""
        value = str(value)
        if not pattern.match(value):
            self.problem(line_of(data, key), f"{where} has an invalid {key} '{value}'",
                         "use lowercase letters a–z, digits and '_', starting with a letter")
        return value

    def listing(self, data: Mapping, key: str, where: str) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(line_of(data, key), f"{where} '{key}' must be a list",
                         f"write each entry of '{key}' on its own line starting with '- '")
            return []
        return value

    def text(self, data: Mapping, key: str, where: str) -> dict[str, str] | None:
        """A translated string: one non-empty text per declared language."""
        value, line = data.get(key), line_of(data, key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.problem(line, f"{where} {key} must give one text per language",
                         f"write it as '{key}: {{vi: \"…\", en: \"…\"}}'")
            return None
        allowed = self.languages + self.draft_languages
        for language in value:
            if not LANGUAGE.match(str(language)):
                self.problem(line_of(value, language) or line,
                             f"{where} {key} has '{language}' where a language code should be; "
                             "a comma inside {…} splits the text there",
                             "put the text in quotes: vi: \"…, …\"")
            elif language not in allowed:
                self.problem(line_of(value, language) or line,
                             f"{where} {key} uses language '{language}', which is not declared"
                             f"{did_you_mean(language, allowed)}",
                             "add it to 'languages' (complete) or 'draft_languages' (in progress)")
        for language in self.languages:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                self.problem(line, f"{where} {key} has no '{language}' translation",
                             f"add '{language}: \"…\"' under {key}")
        return {str(lang): str(text).strip() for lang, text in value.items()
                if lang in allowed and text is not None and str(text).strip()}

    def expression(self, data: Mapping, where: str) -> relevance.Expression | None:
        source, line = self.typed(data, "relevant", str, where), line_of(data, "relevant")
        if source is None:
            return None
        try:
            return relevance.parse(source, line)
        except relevance.RelevanceError as error:
            self.problem(line, f"{where} relevance: {error}",
                         "write references as ${code}, text in quotes, and join conditions "
                         "with and / or / not")
            return None
