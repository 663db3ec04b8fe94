"""How long the citizen questionnaire takes: taps and reading time on the usual path.

The poster promises a length; this module computes it from the published questionnaire, so the
promise follows the questionnaire. The usual path is every mandatory page, answering every
question shown (optional ones included), taking the shorter branch where an answer reveals
more questions (no feedback given), skipping free text and the optional part. A questionnaire
with assigned blocks has two paths: a respondent drawn for no block, and one drawn for every
block (`path_lengths`); the poster states both.

    time = reading + taps × SECONDS_PER_TAP + pages × SECONDS_PER_PAGE

Reading counts the syllables (Vietnamese words are written syllable by syllable) of every title,
hint, question and, once per page, each distinct answer list, at READING_SYLLABLES_PER_MINUTE:
slower than the 238 words a minute Brysbaert (2019, "How many words do we read per minute?",
J. Mem. Lang. 109) found for silent reading of non-fiction, for a phone screen and readers of
every age. The tap count is checked against a real browser walking the same path
(tests/browser/test_length_and_reveal.py), as is the page count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from survey.enums import ItemType
from survey.questionnaire import QuestionnaireDefinition

READING_SYLLABLES_PER_MINUTE = 180
SECONDS_PER_TAP = 1.5
"""Finding the chosen answer on screen and tapping it, scrolling included."""
SECONDS_PER_PAGE = 2.0
"""Loading the next page over a mobile connection."""
CHOICE_TYPES = (ItemType.SELECT_ONE, ItemType.LIKERT, ItemType.SELECT_MANY)


@dataclass(frozen=True)
class Length:
    taps: int
    syllables: int
    pages: int

    @property
    def seconds(self) -> float:
        reading = 60 * self.syllables / READING_SYLLABLES_PER_MINUTE
        return reading + self.taps * SECONDS_PER_TAP + self.pages * SECONDS_PER_PAGE

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up: the figure the poster states."""
        return max(1, math.ceil(self.seconds / 60))


def _syllables(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _fewest_revealed(questionnaire: QuestionnaireDefinition, answers: Mapping[str, str], item) -> str:
    """The option of a question the skip logic reads that shows the fewest questions after it
    (the first such option on a tie): the usual path, not the longest one."""
    def shown(value: str) -> int:
        return sum(map(len, questionnaire.visible_by_page({**answers, item.code: value}).values()))
    return min((choice.value for choice in item.choices.choices), key=shown)


def usual_length(questionnaire: QuestionnaireDefinition, language: str = "vi") -> Length:
    """Taps, syllables read and pages on the usual path through the mandatory pages: the first
    option of every question, except that a question the skip logic reads takes the option that
    reveals the fewest questions (SIPAS's "did you give feedback?": no)."""
    answers: dict[str, str] = {}
    taps = syllables = pages = 0
    text = lambda value: questionnaire.text(value, language)  # noqa: E731
    for page in questionnaire.pages:
        if page.optional:
            continue
        shown = questionnaire.visible_items(page, answers)
        if not shown:
            continue
        pages += 1
        taps += 1  # the page's own button: next, or submit on the last page
        syllables += _syllables(text(page.title))
        lists_read: set[str] = set()
        for section in page.sections:
            section_items = [item for item in section.items if item in shown]
            if section_items:
                syllables += _syllables(text(section.title)) + _syllables(text(section.hint))
            for item in section_items:
                syllables += _syllables(text(item.label)) + _syllables(text(item.hint))
                if item.type not in CHOICE_TYPES:
                    continue  # free text is left blank on the usual path
                taps += 1
                if item.choices.name not in lists_read:
                    lists_read.add(item.choices.name)
                    syllables += sum(_syllables(text(c.label)) for c in item.choices.choices)
                answers[item.code] = (_fewest_revealed(questionnaire, answers, item)
                                      if item.code in questionnaire.relevance_references
                                      else item.choices.choices[0].value)
    return Length(taps, syllables, pages)


@dataclass(frozen=True)
class PathLengths:
    unassigned: Length
    """The path of a respondent drawn for none of the assigned blocks."""
    assigned: Length | None
    """The path of a respondent drawn for every assigned block; None when there are none."""

    @property
    def extra_pages(self) -> int:
        return self.assigned.pages - self.unassigned.pages if self.assigned else 0


def path_lengths(questionnaire: QuestionnaireDefinition, language: str = "vi") -> PathLengths:
    """The usual path's length without any assigned block, and with all of them."""
    every = [block.code for block in questionnaire.blocks]
    return PathLengths(usual_length(questionnaire.asked(()), language),
                       usual_length(questionnaire.asked(every), language) if every else None)
