"""Who is less satisfied, what citizens want improved, how they would rather submit.

Three sections of the report, all province-level, from the items a questionnaire's
``report:`` mapping names (``survey.questionnaire.breakdowns``), so no code here names an item:

- ``groups``: the index per category of each respondent item (gender, age band, ethnicity, …),
  estimated as a domain of the full design (``svyby``'s domain estimation, Lumley, *Complex
  Surveys*, §2.3). A category with fewer than ``MIN_GROUP_N`` responses is pooled with the other
  such categories of the item into one "Khác" row; when the pool is itself that small it is not
  shown, and the report says how many responses that left out. The groups are never crossed with
  localities: a small category in one commune could point at a person.
- ``priorities``: per improvement item (mong muốn), the weighted share answering one of the
  counted values ("Rất nhiều"), ranked among the reliable shares.
- ``channels``: the weighted share of each option of the preferred-channel item.

Every share is ``analysis.estimators.proportion`` (Korn–Graubard interval), every figure a
``Stat`` judged by the report's reliability rule, as the sectors are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from analysis.estimators import proportion
from analysis.report import node_srs_variances, ranks, reliability
from analysis.sipas import Node, index_nodes
from survey.frame.margins import margin_answers
from survey.models import Wave
from survey.questionnaire import QuestionnaireDefinition
from survey.reports.model import EMPTY, Stat

ANSWER_PREFIX = "_answer_"
"""Frame column ``_answer_<item>``: the response's answer value to a report item, or missing."""
MIN_GROUP_N = 5
"""A category with fewer responses is pooled into "Khác", or not shown (issue 25)."""
POOLED = "_khac"
"""Code of the pooled row of small categories (no choice value starts with "_")."""


@dataclass(frozen=True)
class AskedItem:
    """A report item with its Vietnamese label and its options (value, label), as asked."""

    code: str
    label: str
    options: tuple[tuple[str, str], ...]

    @property
    def column(self) -> str:
        return ANSWER_PREFIX + self.code

    def option_label(self, value: str) -> str:
        return dict(self.options).get(value, value)


@dataclass(frozen=True)
class Breakdowns:
    """What a questionnaire asks the report to break down (its ``report:`` mapping), with labels."""

    groups: tuple[AskedItem, ...] = ()
    priorities: tuple[AskedItem, ...] = ()
    priority_values: tuple[str, ...] = ()
    channels: AskedItem | None = None

    @property
    def items(self) -> tuple[AskedItem, ...]:
        return tuple({i.code: i for i in self.groups + self.priorities
                      + ((self.channels,) if self.channels else ())}.values())

    @classmethod
    def of(cls, definition: QuestionnaireDefinition) -> Breakdowns | None:
        """The definition's report items; ``None`` when it declares none."""
        sections = definition.report
        if sections is None:
            return None

        def asked(code: str) -> AskedItem:
            item = definition.items_by_code[code]
            options = tuple((c.value, c.label.get("vi", c.value)) for c in item.choices.choices
                            if not c.no_answer) if item.choices else ()
            return AskedItem(code, item.label.get("vi", code), options)

        return cls(tuple(asked(c) for c in sections.groups), tuple(asked(c) for c in sections.priorities),
                   sections.priority_values, asked(sections.channels) if sections.channels else None)


def add_answers(session: Session, wave: Wave, frame: pd.DataFrame, breakdowns: Breakdowns | None) -> None:
    """Put each report item's answers on ``frame`` as ``_answer_<item>``, in one query for the wave."""
    if breakdowns is None or frame.empty:
        return
    codes = [item.code for item in breakdowns.items]
    answers = margin_answers(session, wave, codes)
    for code in codes:
        series = answers.get(code)
        frame[ANSWER_PREFIX + code] = (series.reindex(frame["response_id"]).to_numpy(dtype=object)
                                       if series is not None else np.full(len(frame), None, dtype=object))


def _rule(stat: Stat):
    return reliability(stat.n, stat.effective_n, stat.estimate, stat.ci_low, stat.ci_high, stat.cv)


@dataclass(frozen=True)
class GroupRow:
    """One category (or the pooled small ones) of a respondent item: its index."""

    code: str
    label: str
    index: Stat
    reliable: bool
    reasons: tuple[str, ...]
    pooled: tuple[str, ...] = ()  # labels of the categories pooled into this row

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "n": self.index.n, "index": self.index.as_dict(),
                "reliable": self.reliable, "reasons": list(self.reasons), "pooled": list(self.pooled)}


@dataclass(frozen=True)
class Group:
    """A respondent item (e.g. Dân tộc) and the index of each of its categories."""

    code: str
    label: str
    answered: int
    rows: tuple[GroupRow, ...]
    suppressed: tuple[str, ...] = ()  # labels of small categories not shown at all
    suppressed_n: int = 0

    @property
    def note(self) -> str:
        """What was pooled or left out, in Vietnamese; empty when nothing was."""
        if not self.answered:
            return "Chưa có người trả lời câu hỏi này."
        parts = []
        pooled = next((row for row in self.rows if row.code == POOLED), None)
        if pooled:
            parts.append(f"Các nhóm dưới {MIN_GROUP_N} phiếu ({', '.join(pooled.pooled)}) được gộp vào dòng "
                         "“Khác”.")
        if self.suppressed:
            parts.append(f"Không trình bày {self.suppressed_n} phiếu thuộc các nhóm dưới {MIN_GROUP_N} "
                         f"phiếu ({', '.join(self.suppressed)}), vì gộp lại vẫn dưới {MIN_GROUP_N} phiếu.")
        return " ".join(parts)

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "answered": self.answered,
                "categories": [row.as_dict() for row in self.rows], "suppressed": list(self.suppressed),
                "suppressed_n": self.suppressed_n, "note": self.note}


@dataclass(frozen=True)
class ShareRow:
    """The weighted share of respondents giving an answer: a priority or a channel."""

    code: str
    label: str
    share: Stat
    reliable: bool
    reasons: tuple[str, ...]
    rank: int | None = None
    counted: tuple[str, ...] = ()  # the labels of the answers counted, for a priority

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "rank": self.rank, **self.share.as_dict(),
                "reliable": self.reliable, "reasons": list(self.reasons),
                **({"counted": list(self.counted)} if self.counted else {})}


def respondent_sections(design, frame: pd.DataFrame, root: Node, breakdowns: Breakdowns | None,
                        level: float, stat_of) -> tuple[list[Group] | None, list[ShareRow] | None,
                                                         list[ShareRow] | None]:
    """The ``groups``, ``priorities`` and ``channels`` sections; ``None`` for those not declared.

    ``design`` is bound to ``frame``, so columns added here are the design's; ``stat_of`` turns
    an ``analysis`` estimate into the report's ``Stat`` (``survey.reports.build.stat_of``).
    """
    if breakdowns is None:
        return None, None, None
    groups = [_group(design, frame, root, item, level, stat_of) for item in breakdowns.groups]
    priorities = _priorities(design, frame, breakdowns, level, stat_of) if breakdowns.priorities else None
    channels = _channels(design, frame, breakdowns.channels, level, stat_of) if breakdowns.channels else None
    return groups or None, priorities, channels


def _answers(frame: pd.DataFrame, item: AskedItem) -> pd.Series:
    """The item's answers as text, missing where unanswered or not an option as asked."""
    if item.column not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    text = frame[item.column].astype("string").str.strip()
    return text.where(text.isin([value for value, _ in item.options])).astype(object)


def _group(design, frame, root: Node, item: AskedItem, level: float, stat_of) -> Group:
    answers = _answers(frame, item)
    counts = answers.value_counts()
    small = [value for value, _ in item.options if 0 < counts.get(value, 0) < MIN_GROUP_N]
    pooled_n = int(sum(counts.get(value, 0) for value in small))
    domain = answers.copy()
    suppressed: tuple[str, ...] = ()
    if small and pooled_n >= MIN_GROUP_N:
        domain[domain.isin(small)] = POOLED
    elif small:
        domain[domain.isin(small)] = None
        suppressed = tuple(item.option_label(value) for value in small)
    answered = int(counts.sum())
    column = f"_group_{item.code}"
    frame[column] = domain
    if domain.notna().sum() == 0:
        return Group(item.code, item.label, answered, (), suppressed, pooled_n if suppressed else 0)
    found = {}
    srs = node_srs_variances(design, root, by=column, nodes={root.name}, overall=False)
    for r in index_nodes(design, root, by=column, level=level):
        if r.statistic == "index" and r.name == root.name:
            found[str(r.domain[0][1])] = stat_of(r, srs.get((r.domain[0][1], root.name)))
    rows = []
    for value, label in list(item.options) + [(POOLED, "Khác (gộp các nhóm ít phiếu)")]:
        if value not in set(domain.dropna()):
            continue
        stat = found.get(value, EMPTY)
        rule = _rule(stat)
        pooled = tuple(item.option_label(v) for v in small) if value == POOLED else ()
        rows.append(GroupRow(value, label, stat, rule.reliable, rule.reasons, pooled))
    return Group(item.code, item.label, answered, tuple(rows), suppressed, pooled_n if suppressed else 0)


def _share(design, frame, column: str, hits: np.ndarray, answered: np.ndarray, level: float, stat_of) -> Stat:
    """The weighted share of ``hits`` among ``answered`` (an indicator with missing elsewhere)."""
    if not answered.any():
        return EMPTY
    frame[column] = np.where(answered, hits.astype(float), np.nan)
    return stat_of(proportion(design, column, level=level)[0])


def _priorities(design, frame, breakdowns: Breakdowns, level: float, stat_of) -> list[ShareRow]:
    counted = breakdowns.priority_values
    rows = []
    for item in breakdowns.priorities:
        answers = _answers(frame, item)
        stat = _share(design, frame, f"_wish_{item.code}", answers.isin(counted).to_numpy(),
                      answers.notna().to_numpy(), level, stat_of)
        rule = _rule(stat)
        rows.append(ShareRow(item.code, item.label, stat, rule.reliable, rule.reasons,
                             counted=tuple(dict.fromkeys(item.option_label(v) for v in counted))))
    order = ranks([row.share.estimate if row.reliable else None for row in rows])
    rows = [ShareRow(r.code, r.label, r.share, r.reliable, r.reasons, rank, r.counted)
            for r, rank in zip(rows, order, strict=True)]
    # ranked first (1 = most wanted), then the rest by estimate, then those with none
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.share.estimate is None,
                                       -(r.share.estimate or 0.0)))


def _channels(design, frame, item: AskedItem, level: float, stat_of) -> list[ShareRow]:
    answers = _answers(frame, item)
    answered = answers.notna().to_numpy()
    rows = []
    for value, label in item.options:
        stat = _share(design, frame, f"_channel_{value}", (answers == value).to_numpy(), answered, level,
                      stat_of)
        rule = _rule(stat)
        rows.append(ShareRow(value, label, stat, rule.reliable, rule.reasons))
    return rows
