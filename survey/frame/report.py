"""What weighting did to a wave: one record that every output (CLI, export, report) shows."""

from __future__ import annotations

from dataclasses import dataclass, field

UNWEIGHTED_EN = (
    "No dossier counts were imported for quarter {quarter}: every design weight is 1 and the "
    "estimates are UNWEIGHTED."
)
UNWEIGHTED_VI = (
    "Chưa nhập số hồ sơ đã giải quyết cho quý {quarter}: mọi trọng số bằng 1, các ước lượng "
    "là ước lượng KHÔNG CÓ TRỌNG SỐ."
)


# How a thin cell was collapsed, in the order they are tried (survey.frame.design)
FIELD = "field"                # its own cell: not collapsed
POOLED = "centre_fields"       # the thin fields of the centre pooled with each other
FAMILY = "family_field"        # the pool joined an adequate field of the same family
LARGEST = "largest_field"      # the pool joined the centre's largest adequate field (none in the family)
CENTRE = "centre"              # the whole centre one cell: it has no adequate field
COLLAPSE_KINDS = (POOLED, FAMILY, LARGEST, CENTRE)
COLLAPSE_KINDS_EN = {
    POOLED: "thin fields pooled together",
    FAMILY: "joined an adequate field of the same family",
    LARGEST: "joined the centre's largest adequate field (none of the same family)",
    CENTRE: "whole centre one cell (no adequate field)",
}
COLLAPSE_KINDS_VI = {
    POOLED: "Gộp các lĩnh vực ít phiếu của trung tâm với nhau",
    FAMILY: "Gộp vào lĩnh vực đủ phiếu cùng nhóm",
    LARGEST: "Gộp vào lĩnh vực đủ phiếu lớn nhất của trung tâm (không có lĩnh vực cùng nhóm đủ phiếu)",
    CENTRE: "Cả trung tâm thành một ô (không có lĩnh vực nào đủ phiếu)",
}
LISTED_UNCOVERED = 5  # centres named on the CLI's "not represented" line; the notes list them all


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


@dataclass(frozen=True)
class Collapse:
    """A cell too thin for its own weight, and the cell it was merged into.

    `from_level` is "field" (centre × field); `to_level` is one of COLLAPSE_KINDS. `into` is
    the adequate field the pool joined (FAMILY, LARGEST), else None. `n` and `dossiers` are
    the responses and dossiers of the original cell, `weight` the merged cell's weight.
    """

    centre: str
    field: str | None
    from_level: str
    to_level: str
    n: int
    dossiers: int
    into: str | None = None
    weight: float | None = None


@dataclass(frozen=True)
class CollapseKind:
    """One row of the collapse table: the thin cells collapsed one way, and what it moved.

    `responses` and `dossiers` are those of the thin cells; `responses_reweighted` adds the
    responses of the adequate fields they joined (their weight changed too); `weight_moved`
    is the dossiers carried, after collapsing, by the responses of another cell:
    Σ max(0, N_c − n_c·W_g) over the cells c of each merged cell g.
    """

    kind: str
    label_vi: str
    cells: int = 0
    centres: int = 0
    responses: int = 0
    dossiers: int = 0
    responses_reweighted: int = 0
    weight_moved: float = 0.0


@dataclass(frozen=True)
class CollapseSummary:
    """The collapse table (`kinds`, in the order of the hierarchy) and its totals.

    `weight_moved_share` is `weight_moved` over the dossiers of the weighted centres. The
    full list of collapsed cells is `WeightingReport.collapsed_cells`.
    """

    kinds: tuple[CollapseKind, ...] = tuple(CollapseKind(k, COLLAPSE_KINDS_VI[k]) for k in COLLAPSE_KINDS)
    cells: int = 0
    centres: int = 0
    responses: int = 0
    responses_reweighted: int = 0
    weight_moved: float = 0.0
    weight_moved_share: float = 0.0

    def __len__(self) -> int:
        """How many cells were collapsed."""
        return self.cells


@dataclass(frozen=True)
class Trimming:
    """Weights capped at `cap_multiple` × the median weight, the excess spread over the rest."""

    cap_multiple: float
    cap: float
    n_trimmed: int
    weight_moved: float


@dataclass(frozen=True)
class WeightingReport:
    """How the design weights of one wave were made, and which responses they cover."""

    weighted: bool
    quarter: str
    min_cell: int
    collapses: CollapseSummary = field(default_factory=CollapseSummary)
    """How many thin cells were collapsed, each way, and how much weight that moved."""
    flag_counts: dict[str, int] = field(default_factory=dict)
    """Responses carrying each quality flag, before any exclusion."""
    excluded: dict[str, int] = field(default_factory=dict)
    """Responses left out, by reason: an excluded flag, `review` (an analyst excluded it),
    `no_centre`, or `no_counts` (its centre has no dossiers in a weighted quarter)."""
    trimmed: Trimming | None = None
    raked_to: tuple[str, ...] = ()
    n_responses: int = 0
    n_kept: int = 0
    exclude: tuple[str, ...] = ()
    psu: str = "desk_day"
    uncovered: dict[str, int] = field(default_factory=dict)
    """Centres with dossiers but no kept response → their dossiers (not represented)."""
    total_dossiers: int = 0
    total_weight: float = 0.0
    collapsed_cells: list[Collapse] = field(default_factory=list)
    """Every collapsed cell, for the XLSX notes (`detail_lines`)."""

    def lines(self) -> list[str]:
        """The report as a few plain English lines, for the CLI and the top of the export's notes."""
        out = []
        if not self.weighted:
            out.append(UNWEIGHTED_EN.format(quarter=self.quarter))
        else:
            out.append(
                f"Design weights from {self.total_dossiers} dossiers of quarter {self.quarter} "
                f"(cells centre × field, at least {self.min_cell} responses per cell)."
            )
        out.append(f"Responses: {self.n_responses} stored, {self.n_kept} kept.")
        if self.flag_counts:
            out.append("Quality flags: " + ", ".join(f"{k} {v}" for k, v in sorted(self.flag_counts.items())))
        excluded = ", ".join(self.exclude) if self.exclude else "none"
        out.append(f"Excluded flags: {excluded}.")
        if self.excluded:
            out.append("Left out: " + ", ".join(f"{k} {v}" for k, v in sorted(self.excluded.items())))
        out += self._collapse_table()
        if self.uncovered:
            named = ", ".join(sorted(self.uncovered)[:LISTED_UNCOVERED])
            unnamed = len(self.uncovered) - LISTED_UNCOVERED
            more = f" and {unnamed} more" if unnamed > 0 else ""
            out.append(f"Not represented: {_count(len(self.uncovered), 'centre')} with "
                       f"{_count(sum(self.uncovered.values()), 'dossier')} "
                       f"and no kept response ({named}{more}).")
        if self.trimmed is not None:
            t = self.trimmed
            out.append(
                f"Trimmed {t.n_trimmed} weights at {t.cap_multiple:g} × median = {t.cap:.4g}; "
                f"{t.weight_moved:.4g} of weight spread over the others."
            )
        if self.raked_to:
            out.append("Raked to margins: " + ", ".join(self.raked_to) + ".")
        out.append(f"PSU: {'centre × local date (desk-day)' if self.psu == 'desk_day' else 'the response'}.")
        return out

    def _collapse_table(self) -> list[str]:
        summary = self.collapses
        if not summary.cells:
            return []
        out = [f"Collapsed {_count(summary.cells, 'thin cell')} (fewer than {self.min_cell} responses, or no "
               f"dossiers) in {_count(summary.centres, 'centre')}: {_count(summary.responses, 'response')}; "
               f"{summary.weight_moved:,.0f} of the weight ({summary.weight_moved_share:.1%}) now carried by "
               "another cell's responses."]
        for row in summary.kinds:
            if row.cells:
                out.append(f"  {COLLAPSE_KINDS_EN[row.kind]}: {_count(row.cells, 'cell')} in "
                           f"{_count(row.centres, 'centre')}, {_count(row.responses, 'response')} "
                           f"({row.responses_reweighted:,} reweighted), {row.weight_moved:,.0f} weight moved.")
        out.append("Every collapsed cell is listed in the notes sheet of the XLSX export.")
        return out

    def detail_lines(self) -> list[str]:
        """Every collapsed cell and every centre not represented, one line each (XLSX notes)."""
        out = []
        for c in self.collapsed_cells:
            how = COLLAPSE_KINDS_EN[c.to_level] if c.into is None else f"joined field {c.into} " + (
                "(same family)" if c.to_level == FAMILY else "(the centre's largest adequate field)")
            weight = "" if c.weight is None else f"; weight {c.weight:.4g}"
            out.append(f"Collapsed: centre {c.centre}, field {c.field or '(none)'} "
                       f"({_count(c.n, 'response')}, {_count(c.dossiers, 'dossier')}) → {how}{weight}")
        for centre, dossiers in sorted(self.uncovered.items()):
            out.append(f"Not represented: centre {centre} has {dossiers} dossiers but no kept response.")
        return out

    def unweighted_notice_vi(self) -> str | None:
        return None if self.weighted else UNWEIGHTED_VI.format(quarter=self.quarter)
