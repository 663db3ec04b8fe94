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


@dataclass(frozen=True)
class Collapse:
    """A cell too thin for its own weight, and the cell it was merged into.

    `from_level` is "field" (centre × field); `to_level` is "centre_fields" (the thin fields of
    the centre pooled) or "centre" (the whole centre one cell). `n` and `dossiers` are the
    responses and dossiers of the original cell.
    """

    centre: str
    field: str | None
    from_level: str
    to_level: str
    n: int
    dossiers: int


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
    collapses: list[Collapse] = field(default_factory=list)
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

    def lines(self) -> list[str]:
        """The report as plain English lines, for the CLI and the export's notes."""
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
        for c in self.collapses:
            out.append(
                f"Collapsed: centre {c.centre}, field {c.field or '(none)'} "
                f"({c.n} responses, {c.dossiers} dossiers) → {c.to_level}"
            )
        for centre, dossiers in sorted(self.uncovered.items()):
            out.append(f"Not represented: centre {centre} has {dossiers} dossiers but no kept response.")
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

    def unweighted_notice_vi(self) -> str | None:
        return None if self.weighted else UNWEIGHTED_VI.format(quarter=self.quarter)
