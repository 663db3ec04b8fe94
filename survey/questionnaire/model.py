"""The questionnaire as frozen data: pages of sections of items, choice lists, the index tree.

A :class:`QuestionnaireDefinition` comes from :func:`survey.questionnaire.load_questionnaire`
(a YAML file) or :func:`~survey.questionnaire.loader.from_dict` (the definition stored with a
published version).  ``to_dict()`` gives back the file's own shape, so
``from_dict(q.to_dict()) == q`` and the stored JSON reads like the file.

Every user-facing string is a :data:`Text`, a mapping from language code
(``vi``, ``en``, later ``rad``, ``jra``, ``mng``) to the string.  The
``line`` fields only remember where a thing was written, for error messages;
they take no part in equality, ``to_dict`` or the checksum.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from survey.enums import Aggregate, ItemScore, ItemType, QuestionnaireKind, values

from .breakdowns import ReportSections
from .relevance import Expression
from .serialize import questionnaire_to_dict

Text = dict[str, str]

ITEM_TYPES = tuple(values(ItemType))
KINDS = tuple(values(QuestionnaireKind))
SCALE = ("1", "2", "3", "4", "5")
"""Values of the 5-level scale of a ``likert`` item; any other value counts as no answer."""
ITEM_SCORES = tuple(values(ItemScore))
DEFAULT_SHARES = (1.0, 0.6, 0.2, 0.0)
"""Shares of the graded options A, B, C, D when a list gives none (the national PAR practice)."""
POINTS_TOLERANCE = 1e-6
"""How far the criteria's points may differ from the stated total (rounding of decimals)."""
AGGREGATES = tuple(values(Aggregate))
AUDIO_SUFFIXES = (".ogg", ".opus", ".oga", ".mp3", ".m4a", ".aac", ".wav")
"""File names a recording may have; its type is decided by its content when it is uploaded."""


def _line() -> Any:
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    no_answer: bool = False
    """True for "không trả lời": offered to the respondent, scored as missing."""
    share: float | None = None
    """The share of a criterion's points this graded option earns (0–1); ``None``: the default."""
    audio: Text | None = None
    """A recording of the option read aloud, per language: a file name (``audio: {vi: rat_hai_long.ogg}``)
    among the questionnaire's uploaded recordings (survey.media)."""


@dataclass(frozen=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]
    line: int | None = _line()

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def choice(self, value: Any) -> Choice | None:
        return next((c for c in self.choices if c.value == str(value)), None)

    @property
    def graded(self) -> tuple[Choice, ...]:
        """The options that earn a share of the points (all but "không đánh giá được")."""
        return tuple(c for c in self.choices if not c.no_answer)

    @property
    def shares(self) -> dict[str, float]:
        """Share earned by each graded value: as written, else A–D = 100/60/20/0 %."""
        graded = self.graded
        if all(c.share is None for c in graded) and len(graded) == len(DEFAULT_SHARES):
            return {c.value: share for c, share in zip(graded, DEFAULT_SHARES, strict=False)}
        return {c.value: c.share for c in graded if c.share is not None}


@dataclass(frozen=True)
class Item:
    code: str
    type: str
    label: Text
    hint: Text | None = None
    choices: ChoiceList | None = None
    required: bool = False
    relevant: Expression | None = None
    minimum: int | None = None
    maximum: int | None = None
    points: float | None = None
    """The maximum points of a graded criterion (PAR Index), earned in full by option A."""
    line: int | None = _line()
    audio: Text | None = None
    """A recording of the question read aloud, per language, as for :attr:`Choice.audio`."""

    def stored(self, value: Any) -> str:
        """The answer as an answer row keeps it, for any survey: a select_many's options joined
        by spaces, any other answer as its text."""
        return " ".join(value) if self.type == ItemType.SELECT_MANY else str(value)

    def score(self, value: Any) -> int | None:
        """The 1–5 score of a likert answer; ``None`` for "không trả lời" or no answer."""
        text = str(value).strip() if value is not None else ""
        return int(text) if self.type == ItemType.LIKERT and text in SCALE else None

    def share(self, value: Any) -> float | None:
        """The share of the points a graded answer earns; ``None`` for "không đánh giá được"."""
        if self.type != ItemType.GRADED or self.choices is None or value is None:
            return None
        return self.choices.shares.get(str(value).strip())


@dataclass(frozen=True)
class Section:
    code: str
    items: tuple[Item, ...]
    title: Text | None = None
    hint: Text | None = None
    relevant: Expression | None = None
    line: int | None = _line()


@dataclass(frozen=True)
class Page:
    code: str
    title: Text
    sections: tuple[Section, ...]
    optional: bool = False
    """An optional part the respondent may skip as a whole (SIPAS asks its policy part of a random
    share instead: an assigned block, see AssignedBlock)."""
    relevant: Expression | None = None
    line: int | None = _line()

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)


@dataclass(frozen=True)
class AssignedBlock:
    """Pages asked of a random share of respondents only: a planned subsample.

    The server assigns each respondent at random when the questionnaire starts (each block on
    its own, with probability ``share``); an assigned respondent sees the block's pages as
    ordinary pages, one not assigned never sees them. The analysis frame carries the
    assignment as a 0/1 column ``assigned_<code>``, so the block's items are estimated on a
    random subsample of the full design, not on whoever chose to answer.
    """

    code: str
    pages: tuple[str, ...]
    share: float
    """The planned share of respondents assigned (0 < share ≤ 1); a wave may set its own."""
    label: Text | None = None
    """What officials read for the block (the wave list), e.g. "Đánh giá về thực hiện chính sách"."""
    line: int | None = _line()


@dataclass(frozen=True)
class IndexNode:
    code: str
    label: Text
    children: tuple[str, ...]
    """Item codes (scored by the tree's ``item_score``) or codes of other nodes."""
    aggregate: str = Aggregate.MEAN
    weights: tuple[float, ...] | None = None
    """One weight per child; ``None`` means equal weights."""
    line: int | None = _line()


@dataclass(frozen=True)
class IndexTree:
    """Items → elements → fields → overall, as in the SIPAS method (Quyết định 1001/QĐ-BNV)."""

    nodes: tuple[IndexNode, ...]
    item_score: str = ItemScore.SHARE_SATISFIED
    """``share_satisfied``: share of answers 4–5 among 1–5; ``mean_score``: mean of 1–5;
    ``points``: a graded criterion's points × the share of its option (PAR Index)."""
    total: float | None = None
    """The block's maximum points with ``points`` scoring (22 for the PAR leaders' survey 2025)."""
    target: float | None = None
    """The index the province aims for, as a proportion in (0, 1] (0.86: the 2026 SIPAS target of
    86%); ``None`` when the file sets none, and then the report compares with no target."""
    line: int | None = _line()

    def node(self, code: str) -> IndexNode:
        return next(node for node in self.nodes if node.code == code)

    @property
    def root(self) -> IndexNode:
        below = {child for node in self.nodes for child in node.children}
        return next(node for node in self.nodes if node.code not in below)

    def is_node(self, code: str) -> bool:
        return any(node.code == code for node in self.nodes)

    def parent_of(self, code: str) -> IndexNode | None:
        """The node whose children include ``code`` (for a PAR criterion: its field)."""
        return next((node for node in self.nodes if code in node.children), None)

    def items_under(self, code: str) -> tuple[str, ...]:
        """The item codes at the leaves below node ``code``, in order."""
        found: list[str] = []
        for child in self.node(code).children:
            found.extend(self.items_under(child) if self.is_node(child) else [child])
        return tuple(found)


@dataclass(frozen=True)
class QuestionnaireDefinition:
    code: str
    kind: str
    title: Text
    languages: tuple[str, ...]
    """Languages that must be complete; the first is the fallback."""
    pages: tuple[Page, ...]
    choice_lists: dict[str, ChoiceList]
    index: IndexTree
    draft_languages: tuple[str, ...] = ()
    """Languages being translated: allowed, not yet required to be complete."""
    description: Text | None = None
    blocks: tuple[AssignedBlock, ...] = ()
    """Blocks of pages asked of a random share of respondents (``assigned_blocks`` in the file)."""
    report: ReportSections | None = None
    """The items the quarterly report breaks results down by (``report:`` in the file)."""
    wave_prefix: str | None = None
    """A survey run beside the province's main one (e.g. "DN" for businesses at the desks): its
    waves are coded DN-2026Q4 and its desk QR codes name it (/q/<centre>/<code>). None for the
    main survey of its kind: waves coded 2026Q4, the plain desk QR, the receipts, the seed."""
    source: str | None = field(default=None, compare=False, repr=False)

    def __hash__(self) -> int:
        # the generated hash would fail on the dict fields; equal content, equal checksum
        return hash(self.checksum)

    # A definition never changes once built: its derived views are computed once.
    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for page in self.pages for item in page.items)

    @cached_property
    def items_by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    @cached_property
    def likert_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.type == ItemType.LIKERT)

    @cached_property
    def recordings(self) -> dict[str, dict[str, str]]:
        """The recording file names in each language, by the item code or ``list:value`` they read."""
        found: dict[str, dict[str, str]] = {}
        for item in self.items:
            for language, name in (item.audio or {}).items():
                found.setdefault(language, {})[item.code] = name
            for choice in item.choices.choices if item.choices else ():
                for language, name in (choice.audio or {}).items():
                    found.setdefault(language, {})[f"{item.choices.name}:{choice.value}"] = name
        return found

    @property
    def graded_items(self) -> tuple[Item, ...]:
        """The PAR criteria: graded items carrying points."""
        return tuple(item for item in self.items if item.type == ItemType.GRADED)

    def block_shares(self, wave_share: float | None = None) -> dict[str, float]:
        """Each block's share of respondents to assign: the wave's own share when it sets one."""
        return {block.code: wave_share if wave_share is not None else block.share for block in self.blocks}

    @cached_property
    def _asked_cache(self) -> dict[frozenset[str], QuestionnaireDefinition]:
        return {}

    def asked(self, assigned: Iterable[str]) -> QuestionnaireDefinition:
        """The questionnaire as one respondent sees it: without the blocks not assigned to them.

        Page numbers, the skip logic, the required items and the length all follow from this
        view, so a respondent not assigned a block is never asked it. Derived once per
        combination of blocks (a definition never changes).
        """
        key = frozenset(assigned) & {block.code for block in self.blocks}
        if len(key) == len(self.blocks):
            return self
        cached = self._asked_cache.get(key)
        if cached is None:
            left_out = {page for block in self.blocks if block.code not in key for page in block.pages}
            cached = self._asked_cache[key] = replace(
                self, pages=tuple(page for page in self.pages if page.code not in left_out),
                blocks=tuple(block for block in self.blocks if block.code in key))
        return cached

    def page_index(self, code: str) -> int:
        """Position of page ``code`` (0-based); ``ValueError`` when there is none."""
        for number, page in enumerate(self.pages):
            if page.code == code:
                return number
        raise ValueError(f"no page {code!r} in questionnaire {self.code!r}")

    def text(self, text: Text | None, language: str) -> str:
        """``text`` in ``language``, falling back to the first declared language."""
        if not text:
            return ""
        return text.get(language) or text[self.languages[0]]

    def _walk(self, answers: Mapping[str, Any]) -> Iterator[tuple[Page, Item, bool]]:
        """Each item with whether it is shown, seeing hidden items as unanswered."""
        seen: dict[str, Any] = {}
        for page in self.pages:
            page_on = page.relevant is None or page.relevant.evaluate(seen)
            for section in page.sections:
                section_on = page_on and (section.relevant is None or section.relevant.evaluate(seen))
                for item in section.items:
                    shown = section_on and (item.relevant is None or item.relevant.evaluate(seen))
                    if shown and item.code in answers:
                        seen[item.code] = answers[item.code]
                    yield page, item, shown

    def relevant_answers(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """``answers`` to items the skip logic shows; hidden items and other keys are dropped."""
        return {item.code: answers[item.code] for _, item, shown in self._walk(answers)
                if shown and item.code in answers}

    @cached_property
    def relevance_references(self) -> tuple[str, ...]:
        """The items whose answers the skip logic reads, in questionnaire order, each once."""
        refs: dict[str, None] = {}
        for page in self.pages:
            for expr in ([page.relevant] + [s.relevant for s in page.sections]
                         + [i.relevant for s in page.sections for i in s.items]):
                if expr is not None:
                    refs.update(dict.fromkeys(expr.references))
        return tuple(refs)

    @cached_property
    def _visible_cache(self) -> dict[tuple, dict[str, tuple[Item, ...]]]:
        return {}

    def visible_by_page(self, answers: Mapping[str, Any]) -> dict[str, list[Item]]:
        """The items the skip logic shows for these answers, by page code, from one walk.

        What is shown depends only on the answers the skip logic reads (`relevance_references`),
        so the walk is remembered by those: a page post asks three to five times, and most
        respondents give the same few combinations.
        """
        key = _visibility_key(answers, self.relevance_references)
        found = self._visible_cache.get(key) if key is not None else None
        if found is None:
            shown_items: dict[str, list[Item]] = {page.code: [] for page in self.pages}
            for page, item, shown in self._walk(answers):
                if shown:
                    shown_items[page.code].append(item)
            found = {code: tuple(items) for code, items in shown_items.items()}
            if key is not None:
                if len(self._visible_cache) >= VISIBLE_CACHE_SIZE:
                    self._visible_cache.clear()  # bounded, whatever answers are posted
                self._visible_cache[key] = found
        return {code: list(items) for code, items in found.items()}

    def visible_items(self, page: Page | str, answers: Mapping[str, Any]) -> list[Item]:
        """The items of ``page`` that the skip logic shows for these answers."""
        return self.visible_by_page(answers)[page if isinstance(page, str) else page.code]

    def missing_required(self, page: Page | str, answers: Mapping[str, Any]) -> list[Item]:
        """Visible required items of ``page`` left blank ("không trả lời" counts as an answer)."""
        return self.missing_by_page(answers)[page if isinstance(page, str) else page.code]

    def missing_by_page(self, answers: Mapping[str, Any]) -> dict[str, list[Item]]:
        """Visible required items left blank, by page code, from one walk."""
        return {code: [item for item in items if item.required and answers.get(item.code) in (None, "", [], ())]
                for code, items in self.visible_by_page(answers).items()}

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON-ready data in the file's shape (stored with a version)."""
        return questionnaire_to_dict(self)

    @cached_property
    def checksum(self) -> str:
        """SHA-256 of the canonical JSON definition; equal content, equal checksum."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


VISIBLE_CACHE_SIZE = 4096
"""Combinations of skip-logic answers remembered per questionnaire version."""
_ABSENT = object()


def _visibility_key(answers: Mapping[str, Any], references: tuple[str, ...]) -> tuple | None:
    """The answers the skip logic reads, as a dictionary key; None when one cannot be a key."""
    # The type too: 1, 1.0 and True are equal keys, but not necessarily equal answers.
    key = tuple((type(value), tuple(value) if isinstance(value, list) else value)
                for value in (answers.get(code, _ABSENT) for code in references))
    try:
        hash(key)
    except TypeError:
        return None
    return key
