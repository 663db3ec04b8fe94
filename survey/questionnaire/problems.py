"""Problems found in a questionnaire file, reported all at once with a line and a fix."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message.rstrip('.')}. Fix: {self.fix}"


class QuestionnaireError(ValueError):
    """A questionnaire that cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in questionnaire\n"
                         + format_problems(self.problems))


def format_problems(problems: list[Problem]) -> str:
    """One line per problem, ``FILE:LINE: message. Fix: ...``, in file and line order."""
    ordered = sorted(problems, key=lambda p: (p.file, p.line or 0))
    return "\n".join(str(problem) for problem in ordered)
