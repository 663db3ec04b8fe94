"""Turn a questionnaire file's data into the model, checking its shape as it goes.

This pass checks each part on its own: required and unknown keys, types,
codes, translations, item types, choice lists and relevance syntax.  The
checks that need the whole questionnaire (duplicates, references, the index
tree) are in :mod:`.validate`.  Every problem is collected; nothing stops at
the first one.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from survey.enums import Aggregate, ItemScore, ItemType

from .breakdowns import parse_sections
from .model import (
    AGGREGATES,
    AUDIO_SUFFIXES,
    ITEM_SCORES,
    ITEM_TYPES,
    KINDS,
    SCALE,
    AssignedBlock,
    Choice,
    ChoiceList,
    IndexNode,
    IndexTree,
    Item,
    Page,
    QuestionnaireDefinition,
    Section,
)
from .problems import Problem, QuestionnaireError
from .shape import CODE, LANGUAGE, ShapeChecker, did_you_mean
from .validate import validate
from .yamlsource import line_of

QUESTIONNAIRE_CODE = re.compile(r"^[a-z][a-z0-9_-]*$")
AUDIO_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
VALUE = re.compile(r"^[a-z0-9][a-z0-9_+-]*$")
WAVE_PREFIX = re.compile(r"^[A-Z]{2,8}$")
CHOICE_TYPES = (ItemType.SELECT_ONE, ItemType.SELECT_MANY, ItemType.LIKERT, ItemType.GRADED)


def build(data: Any, file: str) -> QuestionnaireDefinition:
    """The questionnaire in ``data``, or :class:`QuestionnaireError` listing every problem."""
    questionnaire, problems = collect(data, file)
    if problems or questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def collect(data: Any, file: str) -> tuple[QuestionnaireDefinition | None, list[Problem]]:
    """The questionnaire (``None`` if it could not be built) and all problems found."""
    builder = _Builder(file)
    questionnaire = builder.questionnaire(data)
    if questionnaire is not None:
        builder.problems.extend(validate(questionnaire, file))
    return questionnaire, builder.problems


class _Builder(ShapeChecker):
    def __init__(self, file: str):
        super().__init__(file)
        self.choice_lists: dict[str, ChoiceList] = {}
        self.bad_scales: set[str] = set()

    def questionnaire(self, data: Any) -> QuestionnaireDefinition | None:
        top = self.fields(data, "the questionnaire", ("code", "kind", "title", "languages", "pages",
                                                      "index"),
                          ("description", "draft_languages", "choice_lists", "assigned_blocks", "wave_prefix",
                           "report"), 1)
        if top is None:
            return None
        kind = self.typed(top, "kind", str, "the questionnaire", "")
        if kind and kind not in KINDS:
            self.problem(line_of(top, "kind"), f"unknown kind '{kind}'", f"use one of {', '.join(KINDS)}")
        self.languages = self.language_list(top, "languages") or ("vi",)
        self.draft_languages = self.language_list(top, "draft_languages")
        if "vi" not in self.languages:
            self.problem(line_of(top, "languages"), "'languages' does not include vi",
                         "list vi first: 'languages: [vi, en]'")
        lists = top.get("choice_lists") or {}
        if not isinstance(lists, Mapping):
            self.problem(line_of(top, "choice_lists"), "'choice_lists' must map list names to choices",
                         "write 'choice_lists:' then each list as 'name:' with its choices below")
            lists = {}
        self.choice_lists = {str(name): self.choice_list(str(name), choices, line_of(lists, name))
                             for name, choices in lists.items()}
        pages = tuple(page for number, raw in enumerate(self.listing(top, "pages", "the questionnaire"))
                      if (page := self.page(raw, line_of(top["pages"], number))) is not None)
        index = self.index(top["index"], line_of(top, "index")) if top.get("index") else None
        blocks = tuple(block for number, raw in enumerate(self.listing(top, "assigned_blocks", "the questionnaire"))
                       if (block := self.block(raw, line_of(top["assigned_blocks"], number))) is not None)
        return QuestionnaireDefinition(
            code=self.code(top, "code", "the questionnaire", QUESTIONNAIRE_CODE), kind=kind,
            title=self.text(top, "title", "the questionnaire") or {},
            languages=self.languages, pages=pages, choice_lists=self.choice_lists,
            index=index or IndexTree(()), draft_languages=self.draft_languages,
            description=self.text(top, "description", "the questionnaire"), blocks=blocks,
            wave_prefix=self.wave_prefix(top),
            report=parse_sections(self, top),
            source=None if self.file.startswith("<") else self.file)

    def wave_prefix(self, top: Mapping) -> str | None:
        prefix = self.typed(top, "wave_prefix", str, "the questionnaire", None)
        if prefix is not None and not WAVE_PREFIX.match(prefix):
            self.problem(line_of(top, "wave_prefix"), f"'wave_prefix' {prefix!r} is not 2 to 8 capital letters",
                         "write e.g. 'wave_prefix: DN'; its waves are then coded DN-2026Q4")
            return None
        return prefix

    def language_list(self, top: Mapping, key: str) -> tuple[str, ...]:
        languages = tuple(str(lang) for lang in self.listing(top, key, "the questionnaire"))
        for language in languages:
            if not LANGUAGE.match(language):
                self.problem(line_of(top, key), f"'{language}' in '{key}' is not a language code",
                             "use short lowercase codes such as vi, en, rad (Ê Đê), jra (J'rai), mng (M'Nông)")
        return languages

    def choice_list(self, name: str, raw: Any, line: int | None) -> ChoiceList:
        where = f"choice list '{name}'"
        if not CODE.match(name):
            self.problem(line, f"{where} has an invalid name",
                         "use lowercase letters a–z, digits and '_', starting with a letter")
        if not isinstance(raw, list) or not raw:
            self.problem(line, f"{where} has no choices", "list its choices below it as '- value: …'")
            return ChoiceList(name, (), line)
        choices, seen = [], {}
        for number, entry in enumerate(raw):
            entry_line = line_of(raw, number)
            data = self.fields(entry, f"a choice of {where}", ("value", "label"),
                               ("no_answer", "share", "audio"), entry_line)
            if data is None:
                continue
            value = self.code(data, "value", f"a choice of {where}", VALUE)
            if value in seen:
                self.problem(entry_line, f"{where} has the value '{value}' twice "
                             f"(first on line {seen[value]})", "give each choice its own value")
            seen.setdefault(value, entry_line)
            no_answer = bool(self.typed(data, "no_answer", bool, where, False))
            reported = len(self.problems)
            share = self.share(data, f"choice '{value}' of {where}", no_answer)
            if len(self.problems) > reported:
                self.bad_scales.add(name)  # one problem per bad share, not a second for the list
            choices.append(Choice(value, self.text(data, "label", f"choice '{value}' of {where}") or {},
                                  no_answer, share, self.audio(data, f"choice '{value}' of {where}")))
        return ChoiceList(name, tuple(choices), line)

    def number(self, data: Mapping, key: str, where: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(line_of(data, key), f"{where}: '{key}' must be a number, not {value!r}",
                         f"write '{key}: ' followed by a number such as 1 or 0.5")
            return None
        return float(value)

    def share(self, data: Mapping, where: str, no_answer: bool) -> float | None:
        share = self.number(data, "share", where)
        if share is None:
            return None
        if no_answer:
            self.problem(line_of(data, "share"), f"{where} is 'no_answer' but has a share",
                         "remove 'share': không đánh giá được earns nothing and is left out")
            return None
        if not 0 <= share <= 1:
            self.problem(line_of(data, "share"), f"{where} has the share {share:g}, outside 0 to 1",
                         "write the share of the points as a number from 0 to 1, e.g. 0.6 for 60%")
            return None
        return share

    def block(self, raw: Any, line: int | None) -> AssignedBlock | None:
        data = self.fields(raw, "an assigned block", ("code", "pages", "share"), ("label",), line)
        if data is None:
            return None
        where = f"assigned block '{data.get('code')}'"
        pages = tuple(str(page) for page in self.listing(data, "pages", where))
        if data.get("pages") is not None and not pages:
            self.problem(line_of(data, "pages"), f"{where} lists no pages",
                         "list the codes of the pages asked of the assigned respondents, e.g. [p_policy]")
        return AssignedBlock(self.code(data, "code", where), pages, self.block_share(data, where),
                             self.text(data, "label", where), line_of(data))

    def block_share(self, data: Mapping, where: str) -> float:
        """The block's share: a number such as 0.5, or a fraction written as text, "1/3"."""
        raw, line = data.get("share"), line_of(data, "share")
        if isinstance(raw, str) and re.fullmatch(r"\s*\d+\s*/\s*\d+\s*", raw):
            top, bottom = (int(part) for part in raw.split("/"))
            share = top / bottom if bottom else None
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            share = float(raw)
        else:
            share = None
        if raw is not None and (share is None or not 0 < share <= 1):
            self.problem(line, f"{where} has the share {raw!r}, not a number above 0 and at most 1",
                         "write the share of respondents to ask, e.g. 'share: 1/3' for one in three "
                         "or 'share: 0.5' for one in two")
            return 1.0
        return share if share is not None else 1.0

    def page(self, raw: Any, line: int | None) -> Page | None:
        data = self.fields(raw, "a page", ("code", "title", "sections"), ("optional", "relevant"), line)
        if data is None:
            return None
        where = f"page '{data.get('code')}'"
        sections = tuple(section for number, entry in enumerate(self.listing(data, "sections", where))
                         if (section := self.section(entry, line_of(data["sections"], number)))
                         is not None)
        return Page(self.code(data, "code", where), self.text(data, "title", where) or {}, sections,
                    bool(self.typed(data, "optional", bool, where, False)),
                    self.expression(data, where), line_of(data))

    def section(self, raw: Any, line: int | None) -> Section | None:
        data = self.fields(raw, "a section", ("code", "items"), ("title", "hint", "relevant"), line)
        if data is None:
            return None
        where = f"section '{data.get('code')}'"
        items = tuple(item for number, entry in enumerate(self.listing(data, "items", where))
                      if (item := self.item(entry, line_of(data["items"], number))) is not None)
        return Section(self.code(data, "code", where), items, self.text(data, "title", where),
                       self.text(data, "hint", where), self.expression(data, where), line_of(data))

    def item(self, raw: Any, line: int | None) -> Item | None:
        data = self.fields(raw, "an item", ("code", "type", "label"),
                           ("hint", "choices", "required", "relevant", "min", "max", "points", "audio"), line)
        if data is None:
            return None
        where = f"item '{data.get('code')}'"
        kind = self.typed(data, "type", str, where, "")
        if kind and kind not in ITEM_TYPES:
            self.problem(line_of(data, "type"), f"{where} has an unknown type '{kind}'"
                         f"{did_you_mean(kind, ITEM_TYPES)}", f"use one of {', '.join(ITEM_TYPES)}")
        choices = self.item_choices(data, kind, where)
        bounds = [self.typed(data, key, int, where) for key in ("min", "max")]
        if kind != ItemType.INTEGER and any(bound is not None for bound in bounds):
            self.problem(line_of(data), f"{where} has min or max but is not an integer item",
                         "remove min and max, or make it 'type: integer'")
        points = self.points(data, kind, where)
        return Item(self.code(data, "code", where), kind, self.text(data, "label", where) or {},
                    self.text(data, "hint", where), choices,
                    bool(self.typed(data, "required", bool, where, False)),
                    self.expression(data, where), bounds[0], bounds[1], points, line_of(data),
                    audio=self.audio(data, where))

    def audio(self, data: Mapping, where: str) -> dict[str, str] | None:
        """The recordings' file names by language (``audio: {vi: tc1.ogg}``), each a plain name."""
        value, line = data.get("audio"), line_of(data, "audio")
        if value is None:
            return None
        if not isinstance(value, Mapping) or not value:
            self.problem(line, f"{where} audio must give one file name per language",
                         "write it as 'audio: {vi: tc1.ogg}', the name of a recording uploaded "
                         "on the questionnaire's recordings page")
            return None
        allowed = self.languages + self.draft_languages
        found = {}
        for language, name in value.items():
            at = line_of(value, language) or line
            if language not in allowed:
                self.problem(at, f"{where} audio uses language '{language}', which is not declared"
                             f"{did_you_mean(language, allowed)}",
                             "record only languages listed in 'languages' or 'draft_languages'")
            elif not isinstance(name, str) or not AUDIO_FILE.match(name) or not name.lower().endswith(AUDIO_SUFFIXES):
                self.problem(at, f"{where} audio for '{language}' is {name!r}, not a recording's file name",
                             "write a file name without folders, of letters, digits, '.', '_' or '-', "
                             f"ending in {', '.join(AUDIO_SUFFIXES)}, e.g. tc1.ogg")
            else:
                found[str(language)] = name
        return found or None

    def points(self, data: Mapping, kind: str, where: str) -> float | None:
        points = self.number(data, "points", where)
        if kind == ItemType.GRADED and data.get("points") is None:
            self.problem(line_of(data), f"{where} is a graded criterion without points",
                         "add 'points: …', the most this criterion can earn (e.g. 'points: 1')")
        elif kind != ItemType.GRADED and points is not None:
            self.problem(line_of(data, "points"), f"{where} has points but is not a graded item",
                         "remove 'points', or make it 'type: graded'")
            return None
        elif points is not None and points <= 0:
            self.problem(line_of(data, "points"), f"{where} has {points:g} points",
                         "give a positive number of points")
            return None
        return points

    def item_choices(self, data: Mapping, kind: str, where: str) -> ChoiceList | None:
        name, line = self.typed(data, "choices", str, where), line_of(data, "choices")
        if kind not in CHOICE_TYPES:
            if name is not None and kind in ITEM_TYPES:
                self.problem(line, f"{where} of type {kind} cannot have choices",
                             f"remove 'choices', or use one of {', '.join(CHOICE_TYPES)}")
            return None
        if name is None:
            self.problem(line_of(data), f"{where} of type {kind} has no choice list",
                         "add 'choices: <name of a list under choice_lists>'")
            return None
        if name not in self.choice_lists:
            self.problem(line, f"{where} uses an unknown choice list '{name}'"
                         f"{did_you_mean(name, self.choice_lists)}",
                         "define it under choice_lists or correct the name")
            return None
        chosen = self.choice_lists[name]
        if kind == ItemType.LIKERT and not _is_scale(chosen) and name not in self.bad_scales:
            self.bad_scales.add(name)
            self.problem(chosen.line, f"choice list '{name}' is used by likert {where} but is not "
                         "the 5-level scale", "give it the values 1, 2, 3, 4, 5 and a value 0 "
                         "marked 'no_answer: true' (không trả lời)")
        if kind == ItemType.GRADED and not _is_graded(chosen) and name not in self.bad_scales:
            self.bad_scales.add(name)
            self.problem(chosen.line, f"choice list '{name}' is used by graded {where} but does "
                         "not give every option a share", "give each option 'share: …' (0 to 1), "
                         "or list exactly four options A–D (100/60/20/0 %) and one marked "
                         "'no_answer: true' (không đánh giá được)")
        return chosen

    def index(self, raw: Any, line: int | None) -> IndexTree | None:
        data = self.fields(raw, "the index", ("nodes",), ("item_score", "total", "target"), line)
        if data is None:
            return None
        score = self.typed(data, "item_score", str, "the index", "share_satisfied")
        if score not in ITEM_SCORES:
            self.problem(line_of(data, "item_score"), f"unknown item_score '{score}'",
                         f"use one of {', '.join(ITEM_SCORES)}")
        nodes = tuple(node for number, entry in enumerate(self.listing(data, "nodes", "the index"))
                      if (node := self.node(entry, line_of(data["nodes"], number))) is not None)
        total = self.number(data, "total", "the index")
        if score == "points" and total is None:
            self.problem(line_of(data), "the index scores points but states no total",
                         "add 'total: …', the block's maximum points (22 for the PAR leaders' survey)")
        elif score != "points" and total is not None:
            self.problem(line_of(data, "total"), "the index has a total but does not score points",
                         "remove 'total', or write 'item_score: points'")
            total = None
        return IndexTree(nodes, score, total, self.target(data, score), line_of(data))

    def target(self, data: Mapping, score: str) -> float | None:
        """The index's target: a share satisfied above 0 and at most 1, or none when not written."""
        if "target" not in data:
            return None
        raw, line = data["target"], line_of(data, "target")
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw <= 1:
            written = "no value" if raw is None else repr(raw)
            self.problem(line, f"the index has the target {written}, not a number above 0 and at most 1",
                         "write the target as a proportion, e.g. 'target: 0.86' for 86%, "
                         "or remove 'target' when none is set")
            return None
        if score != ItemScore.SHARE_SATISFIED and score in ITEM_SCORES:  # an unknown one is its own problem
            self.problem(line, f"the index has a target but scores {score}, not share_satisfied",
                         "remove 'target': a target is a share satisfied, e.g. 0.86 for 86%")
            return None
        return float(raw)

    def node(self, raw: Any, line: int | None) -> IndexNode | None:
        data = self.fields(raw, "an index node", ("code", "label"),
                           ("children", "aggregate", "weights"), line)
        if data is None:
            return None
        where = f"index node '{data.get('code')}'"
        aggregate = self.typed(data, "aggregate", str, where, Aggregate.MEAN)
        if aggregate not in AGGREGATES:
            self.problem(line_of(data, "aggregate"), f"{where} has an unknown aggregate "
                         f"'{aggregate}'", f"use one of {', '.join(AGGREGATES)}")
        children = tuple(str(child) for child in self.listing(data, "children", where))
        weights = self.listing(data, "weights", where)
        if weights and (len(weights) != len(children) or not all(
                isinstance(w, (int, float)) and not isinstance(w, bool) and w > 0 for w in weights)):
            self.problem(line_of(data, "weights"), f"{where} needs one positive weight per child",
                         f"give {len(children)} positive numbers, or remove 'weights' for equal weights")
            weights = []
        return IndexNode(self.code(data, "code", where), self.text(data, "label", where) or {},
                         children, aggregate, tuple(float(w) for w in weights) or None, line_of(data))


def _is_graded(choice_list: ChoiceList) -> bool:
    missing = [c for c in choice_list.choices if c.no_answer]
    graded = choice_list.graded
    return len(missing) <= 1 and len(graded) >= 2 and len(choice_list.shares) == len(graded)


def _is_scale(choice_list: ChoiceList) -> bool:
    scored = sorted(c.value for c in choice_list.choices if not c.no_answer)
    missing = [c.value for c in choice_list.choices if c.no_answer]
    return tuple(scored) == SCALE and missing == ["0"]
