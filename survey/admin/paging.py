"""One way to page every admin list: a `ListPage` of rows from a `select()`, and the `pager` macro.

`paginate` counts the query's rows once and fetches one page; `page.args` keeps the list's
filters in the links to the other pages, so paging never drops a filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PAGE_SIZE = 50


@dataclass(frozen=True)
class ListPage:
    """One page of a list, with what the pager needs to link to its neighbours."""

    items: list[Any]
    number: int
    size: int
    total: int
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_row(self) -> int:
        return min(self.number * self.size, self.total)


def requested_page() -> int:
    """The `page` query argument, 1 when absent or not a positive number."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


def paginate(session: Session, query: Select, size: int = PAGE_SIZE, scalars: bool = True,
             **args: Any) -> ListPage:
    """The requested page of `query`'s rows; `args` are the filters the pager links keep."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(requested_page(), max(1, -(-total // size)))
    paged = query.offset((number - 1) * size).limit(size)
    rows = session.scalars(paged).all() if scalars else session.execute(paged).all()
    return ListPage(list(rows), number, size, total, {k: v for k, v in args.items() if v not in (None, "")})
