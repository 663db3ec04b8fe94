"""Load questionnaire files from ``questionnaires/``, reporting every problem at once."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .build import build, collect
from .model import QuestionnaireDefinition
from .problems import Problem, QuestionnaireError
from .yamlsource import read_yaml

SUFFIXES = (".yaml", ".yml")


def check_questionnaire(path: str | Path) -> tuple[QuestionnaireDefinition | None, list[Problem]]:
    """The questionnaire in ``path`` (``None`` if unusable) and all problems found in it."""
    data, problems = read_yaml(path)
    if data is None:
        if not problems:
            problems = [Problem(str(path), None, "the file is empty",
                                "write the questionnaire, starting with 'code:'")]
        return None, problems
    questionnaire, found = collect(data, str(path))
    return questionnaire, problems + found


def from_dict(definition: Mapping[str, Any]) -> QuestionnaireDefinition:
    """Rebuild a definition from ``to_dict()`` output, checking it as a file would be checked."""
    return build(definition, "<definition>")


def load_questionnaire(path: str | Path) -> QuestionnaireDefinition:
    """The questionnaire in ``path``; :class:`QuestionnaireError` lists all its problems."""
    questionnaire, problems = check_questionnaire(path)
    if problems or questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def load_directory(directory: str | Path) -> list[QuestionnaireDefinition]:
    """Every questionnaire file in ``directory``, sorted by file name.

    Problems of all files, and codes used by two files, are raised together.
    """
    questionnaires, problems = [], []
    first_file: dict[str, str] = {}
    for path in sorted(p for p in Path(directory).iterdir() if p.suffix in SUFFIXES):
        questionnaire, found = check_questionnaire(path)
        problems.extend(found)
        if questionnaire is None:
            continue
        if questionnaire.code in first_file:
            problems.append(Problem(str(path), 1, f"questionnaire code '{questionnaire.code}' is "
                                    f"also used by {first_file[questionnaire.code]}",
                                    "give each questionnaire file its own code"))
        first_file.setdefault(questionnaire.code, str(path))
        questionnaires.append(questionnaire)
    if problems:
        raise QuestionnaireError(problems)
    return questionnaires
