"""The ``report:`` mapping of a questionnaire file: which answers the report breaks results down by.

The quarterly report names no item code of its own; a questionnaire declares which of its
select_one items describe the respondent (the index is estimated per category of each:
``groups``), which items ask how much the respondent wants something improved (each item's
share answering one of ``values``: ``priorities``) and which item asks the preferred way to
submit (each option's share: ``channels``), and which items ask whether something happened to
the respondent (harassment, a payment beyond the fees: each item's share answering other than
``none``, by locality: ``opinions``). A questionnaire without the mapping gets none of these
sections::

    report:
      groups: [gender, age_band, ethnicity, education, occupation]
      priorities: {items: [mm1, mm2, mm3], values: [rat_nhieu]}
      channels: submit_channel
      opinions: {items: [harassment, informal_payment], none: [khong_gap]}
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey.enums import ItemType

from .shape import ShapeChecker, did_you_mean
from .yamlsource import line_of


@dataclass(frozen=True)
class ReportSections:
    """The items behind the report's ``groups``, ``priorities`` and ``channels`` sections."""

    groups: tuple[str, ...] = ()
    """select_one items describing the respondent (gender, age band, …): the index per category."""
    priorities: tuple[str, ...] = ()
    """select_one items, one per improvement wished for (các mong muốn): ranked by their share."""
    priority_values: tuple[str, ...] = ()
    """The answers that count an improvement as wanted (e.g. "Rất nhiều")."""
    channels: str | None = None
    """The select_one item asking how the respondent would rather submit: each option's share."""
    opinions: tuple[str, ...] = ()
    """select_one items asking whether something happened (harassment, informal payments): the
    share reporting it. Their answers are also kept compact on each response (`response.opinions`)."""
    opinion_none: tuple[str, ...] = ()
    """The answers that report nothing happened (e.g. "Không gặp")."""
    line: int | None = field(default=None, compare=False, repr=False)

    @property
    def items(self) -> tuple[str, ...]:
        """Every item whose answers the report needs, each once."""
        return tuple(dict.fromkeys(self.groups + self.priorities
                                   + ((self.channels,) if self.channels else ())))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.groups:
            out["groups"] = list(self.groups)
        if self.priorities:
            out["priorities"] = {"items": list(self.priorities), "values": list(self.priority_values)}
        if self.channels:
            out["channels"] = self.channels
        if self.opinions:
            out["opinions"] = {"items": list(self.opinions), "none": list(self.opinion_none)}
        return out


def parse_sections(checker: ShapeChecker, top: Mapping) -> ReportSections | None:
    """The file's ``report:`` mapping, its shape checked; ``None`` when the file has none."""
    raw = top.get("report")
    if raw is None:
        return None
    data = checker.fields(raw, "the report", (), ("groups", "priorities", "channels", "opinions"),
                          line_of(top, "report"))
    if data is None:
        return None
    groups = tuple(str(code) for code in checker.listing(data, "groups", "the report"))
    items: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    if data.get("priorities") is not None:
        priorities = checker.fields(data["priorities"], "the report's priorities", ("items", "values"), (),
                                    line_of(data, "priorities"))
        if priorities is not None and priorities.get("values") is not None:  # else reported missing
            items = tuple(str(code) for code in checker.listing(priorities, "items", "the report's priorities"))
            values = tuple(str(value) for value in checker.listing(priorities, "values", "the report's priorities"))
    channels = checker.typed(data, "channels", str, "the report")
    opinions: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    if data.get("opinions") is not None:
        said = checker.fields(data["opinions"], "the report's opinions", ("items", "none"), (),
                              line_of(data, "opinions"))
        if said is not None and said.get("none") is not None:  # else reported missing
            opinions = tuple(str(code) for code in checker.listing(said, "items", "the report's opinions"))
            none = tuple(str(value) for value in checker.listing(said, "none", "the report's opinions"))
    if not (groups or items or values or channels or opinions):
        return None  # an empty mapping declares nothing, as no mapping
    return ReportSections(groups, items, values, channels, opinions, none, line=line_of(top, "report"))


def check_sections(q, report: Callable[[int | None, str, str], None]) -> None:
    """Each item the report names is a select_one item; the priority values are its options."""
    sections = q.report
    if sections is None:
        return
    items = q.items_by_code
    named = ([(code, "groups") for code in sections.groups] + [(code, "priorities") for code in sections.priorities]
             + [(code, "opinions") for code in sections.opinions])
    if sections.channels:
        named.append((sections.channels, "channels"))
    for code, key in named:
        item = items.get(code)
        if item is None:
            report(sections.line, f"the report's {key} names '{code}', which is not an item"
                   f"{did_you_mean(code, items)}", "use the code of a select_one item")
        elif item.type != ItemType.SELECT_ONE:
            report(sections.line, f"the report's {key} names '{code}', a {item.type} item",
                   "name only select_one items: the report counts the respondents per option")
    if sections.priorities and not sections.priority_values:
        report(sections.line, "the report's priorities give no values",
               "list the answers that count as wanting the improvement, e.g. 'values: [rat_nhieu]'")
    for code, values, key in ([(code, sections.priority_values, "priority") for code in sections.priorities]
                              + [(code, sections.opinion_none, "opinions' none") for code in sections.opinions]):
        item = items.get(code)
        if item is None or item.choices is None:
            continue
        for value in values:
            if value not in item.choices.values:
                report(sections.line, f"the report's {key} value '{value}' is not an option of item "
                       f"'{code}' (choice list '{item.choices.name}')",
                       "use one of the values " + ", ".join(item.choices.values))
