"""The compact copy of a response's likert scores kept on `response.scores`.

One character per likert item of the questionnaire version, in questionnaire order: the
score "1"–"5", or "0" when the item was not shown, not answered or answered "Không trả lời".
A published version never changes, so the order is fixed per version. Loading a wave then
reads one short string per response instead of ~36 answer rows, and decoding a million of
them is one NumPy operation (see `decode`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from survey.questionnaire import QuestionnaireDefinition, from_dict

if TYPE_CHECKING:  # NumPy loads with the first decoding, not with the web app that only encodes
    import numpy as np

NO_SCORE = "0"


def likert_codes(questionnaire: QuestionnaireDefinition) -> tuple[str, ...]:
    """The likert item codes whose scores the compact copy holds, in order."""
    return tuple(item.code for item in questionnaire.likert_items)


@lru_cache(maxsize=32)
def _codes_of_json(definition_json: str) -> tuple[str, ...]:
    return likert_codes(from_dict(json.loads(definition_json)))


def likert_codes_of(definition: Mapping) -> tuple[str, ...]:
    """`likert_codes` of a stored version's definition (cached: versions are immutable)."""
    return _codes_of_json(json.dumps(definition, sort_keys=True))


def encode(scores: Mapping[str, int | None], codes: Sequence[str]) -> str:
    """The compact string for `scores` (item code → 1–5 or None)."""
    return "".join(str(scores[c]) if scores.get(c) else NO_SCORE for c in codes)


def decode(strings: Iterable[str], n_items: int) -> np.ndarray:
    """Scores as a float matrix (one row per string, NaN for no answer).

    Every string must have `n_items` characters; the matrix comes from one buffer, so a
    million responses decode in a fraction of a second.
    """
    import numpy as np

    strings = strings if isinstance(strings, (list, np.ndarray)) else list(strings)
    if not len(strings):
        return np.empty((0, n_items))
    raw = np.frombuffer("".join(strings).encode("ascii"), dtype=np.uint8)
    if raw.size != len(strings) * n_items:
        raise ValueError(f"compact scores do not all have {n_items} digits")
    digits = (raw.reshape(len(strings), n_items).astype(np.int16) - ord("0")).astype(float)
    digits[(digits < 1) | (digits > 5)] = np.nan
    return digits


NO_OPINION = "."
SAID_PREFIX = "_said_"
"""Frame column ``_said_<item>`` per opinion item: 1.0 an occurrence reported, 0.0 nothing happened."""


@dataclass(frozen=True)
class Opinions:
    """The opinion items a questionnaire declares (its ``report: opinions:``), kept compact on
    `response.opinions`: one character per item, in the declared order ("0" nothing happened,
    "1" an occurrence reported, "." no answer). A version never changes, so neither does the order."""

    items: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    """The answers that report nothing happened ("Không gặp")."""

    @classmethod
    def of(cls, questionnaire: QuestionnaireDefinition) -> Opinions:
        report = questionnaire.report
        return cls(report.opinions, report.opinion_none) if report else cls()

    @classmethod
    def of_definition(cls, definition: Mapping) -> Opinions:
        """`of` a stored version's definition (cached: versions are immutable)."""
        return _opinions_of_json(json.dumps(definition, sort_keys=True))

    @property
    def columns(self) -> list[str]:
        """The frame's ``_said_<item>`` columns, in order."""
        return [f"{SAID_PREFIX}{item}" for item in self.items]

    def encode(self, values: Mapping[str, str | None]) -> str:
        """The compact string of the opinion answers in `values` (item code → stored answer text)."""
        return "".join(NO_OPINION if values.get(code) is None else "0" if values[code] in self.none else "1"
                       for code in self.items)

    def decode(self, strings: Iterable[str]) -> np.ndarray:
        """Opinion answers as a float matrix, one column per item: 1.0 when an occurrence was
        reported, 0.0 when nothing happened, NaN for no answer."""
        import numpy as np

        strings = strings if isinstance(strings, (list, np.ndarray)) else list(strings)
        n_items = len(self.items)
        if not len(strings) or not n_items:
            return np.empty((len(strings), n_items))
        raw = np.frombuffer("".join(strings).encode("ascii"), dtype=np.uint8)
        if raw.size != len(strings) * n_items:
            raise ValueError(f"compact opinions do not all have {n_items} characters")
        digits = raw.reshape(len(strings), n_items).astype(float) - ord("0")
        digits[(digits != 0) & (digits != 1)] = np.nan
        return digits


@lru_cache(maxsize=32)
def _opinions_of_json(definition_json: str) -> Opinions:
    return Opinions.of(from_dict(json.loads(definition_json)))
