"""Read a YAML questionnaire file, remembering the line of every key and list entry.

Mappings come back as :class:`Located` dicts and sequences as
:class:`LocatedList` lists, each knowing its own line and the lines of
what it holds, so a problem can be reported as ``FILE:LINE``.

The scalar rules are stricter than YAML 1.1 on purpose: only ``true`` and
``false`` are booleans (``No``, ``yes``, ``on`` stay text, so an English
label "No" is not silently turned into ``False``) and only plain digits are
numbers (``18_25`` or ``1:30`` stay text).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

YAML_FIX = ("check the indentation (spaces, not tabs) on this line and the one before, and put "
            "text in quotes when it contains ': ' or ' #', or a ',' or '?' inside {…}")


class Located(dict):
    """A mapping from the file; ``line`` is where it starts, ``lines[key]`` where each key is."""

    line: int | None = None
    lines: dict[Any, int]


class LocatedList(list):
    """A list from the file; ``lines[i]`` is the line of entry ``i``."""

    line: int | None = None
    lines: list[int]


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of ``container[key]`` (or of ``container``), when it came from a file."""
    lines = getattr(container, "lines", None)
    if key is not None and lines is not None:
        try:
            return lines[key]
        except (KeyError, IndexError, TypeError):
            pass
    return getattr(container, "line", None)


# libyaml's parser where PyYAML was built with it (the wheels are): it gives the same nodes with
# the same line marks about ten times faster than the pure-Python one. Constructing and the
# strict scalar rules below stay in Python either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[Any, int, int]] = []


# Replace YAML 1.1's implicit typing with the strict rules described above.
_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("float", r"^[-+]?[0-9]+\.[0-9]+$", "-+0123456789"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line, mapping.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark)
        line = key_node.start_mark.line + 1
        if key in mapping:
            loader.duplicates.append((key, line, mapping.lines[key]))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    sequence = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def read_yaml(path: str | Path) -> tuple[Any, list[Problem]]:
    """The file's data (``None`` when unreadable) and the problems met reading it."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(name, None, f"the file is not UTF-8 text ({error.reason})",
                              "save the file with UTF-8 encoding")]
    except OSError as error:
        return None, [Problem(name, None, f"cannot read the file: {error.strerror}",
                              "check the path and permissions")]
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = f"YAML syntax error: {error.problem or error.context}"
        return None, [Problem(name, line, message, YAML_FIX)]
    except yaml.YAMLError as error:
        return None, [Problem(name, None, f"YAML error: {error}", YAML_FIX)]
    finally:
        loader.dispose()
    problems = [
        Problem(name, line, f"key {key!r} is written twice (first on line {first})",
                "keep one of them; a second one silently replaces the first")
        for key, line, first in loader.duplicates
    ]
    return data, problems
