"""Families of service fields (nhóm lĩnh vực): which fields serve similar citizens.

A thin cell that cannot be pooled with the other thin cells of its centre joins an adequate
cell of the same family in that centre (survey.frame.design). The families are data, in
`survey/data/field_families.csv` (columns field_code, family, family_name), so the province
can revise them without touching the code; a field the file does not list is a family of its
own. docs/methodology.md says why the shipped grouping is what it is.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

FAMILIES_CSV = Path(__file__).resolve().parents[1] / "data" / "field_families.csv"
COLUMNS = ("field_code", "family", "family_name")


class FamiliesError(ValueError):
    """The families file is malformed; the message names the file, the row and the fix."""


def read_families(path: Path = FAMILIES_CSV) -> dict[str, str]:
    """field code → family code, every bad row reported at once."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FamiliesError(f"{path.name} row 1: missing column {', '.join(missing)}; "
                                f"the header must be {','.join(COLUMNS)}")
        families: dict[str, str] = {}
        seen: dict[str, int] = {}
        problems = []
        for line, row in enumerate(reader, start=2):
            field, family = (row["field_code"] or "").strip(), (row["family"] or "").strip()
            if not field or not family:
                problems.append(f"{path.name} row {line}: field_code and family must both be filled in")
            elif field in seen:
                problems.append(f"{path.name} row {line}: field {field} is already in row {seen[field]}; "
                                "a field belongs to one family, delete one of the rows")
            else:
                seen[field], families[field] = line, family
    if problems:
        raise FamiliesError("\n".join(problems))
    return families


@cache
def shipped_families() -> Mapping[str, str]:
    """The families of `survey/data/field_families.csv`, read once per process (read-only)."""
    return MappingProxyType(read_families())
