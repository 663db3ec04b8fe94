"""Who may see and change what: role scope enforced on the server for every admin view.

- province admin (Sở Nội vụ): everything;
- locality officer (cán bộ xã/phường): only the centres of their own locality, and what
  hangs off them (responses, posters, receipt batches, administrative counts);
- analyst: read-only, all localities.

Row level: a single response (its answers, its time, its flags) is seen only by the province
admin and analysts, on views marked `@row_level`, and each such view is audit-logged. Officers
are the people citizens rate: they see aggregates only (`survey.privacy.aggregates`).

Out-of-scope objects answer 404 (their existence is not revealed); a role that may not use a
page at all gets 403.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, make_response, request
from flask_login import current_user
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from survey.audit import record
from survey.extensions import db
from survey.models import ServiceCentre, User, UserRole

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROW_LEVEL_ROLES = (UserRole.ADMIN, UserRole.ANALYST)
ROW_LEVEL_VIEWED = "view_responses"


def sees_everything(user: User) -> bool:
    """Whether the user's scope covers every locality (admin and analyst)."""
    return user.role in (UserRole.ADMIN, UserRole.ANALYST)


def sees_rows(user: User) -> bool:
    """Whether the user may see single responses (admin and analyst; never an officer)."""
    return user.role in ROW_LEVEL_ROLES


def can_change(user: User) -> bool:
    """Whether the user may change data at all (analysts are read-only)."""
    return user.role in (UserRole.ADMIN, UserRole.OFFICER)


def centre_criterion(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ServiceCentre limiting it to the user's scope."""
    if sees_everything(user):
        return true()
    return ServiceCentre.locality_id == user.locality_id


def visible_centre_ids(session: Session, user: User) -> list[int] | None:
    """Ids of the centres the user may see, or None when the user sees all of them."""
    if sees_everything(user):
        return None
    return list(session.scalars(select(ServiceCentre.id).where(centre_criterion(user))))


def visible_centres(session: Session, user: User, active_only: bool = False) -> list[ServiceCentre]:
    """The centres in the user's scope, ordered by code."""
    query = select(ServiceCentre).where(centre_criterion(user)).order_by(ServiceCentre.code)
    if active_only:
        query = query.where(ServiceCentre.active.is_(True))
    return list(session.scalars(query))


def require_locality_access(user: User, locality_id: int | None) -> None:
    """Abort with 404 unless the user's scope covers `locality_id`."""
    if sees_everything(user):
        return
    if locality_id is None or locality_id != user.locality_id:
        abort(404)


def require_centre_access(user: User, centre: ServiceCentre | None) -> ServiceCentre:
    """Return `centre` if the user may see it; abort with 404 if it is missing or out of scope."""
    if centre is None:
        abort(404)
    require_locality_access(user, centre.locality_id)
    return centre


def roles_required(*roles: str, read_roles: tuple[str, ...] = ()) -> Callable:
    """Restrict a view to `roles`; `read_roles` may also use it for GET/HEAD only (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            role = getattr(current_user, "role", None)
            allowed = role in roles or (role in read_roles and request.method in READ_METHODS)
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def row_level(view: Callable) -> Callable:
    """Mark a view that shows single responses: 403 for officers, and every read audit-logged.

    `view.row_level` is True, so tests can find every such view from the URL map.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if getattr(current_user, "role", None) not in ROW_LEVEL_ROLES:
            abort(403)
        response = make_response(view(*args, **kwargs))
        if request.method in READ_METHODS and response.status_code == 200:
            record(ROW_LEVEL_VIEWED, request.endpoint, path=request.full_path.rstrip("?"))
            db.session.commit()
        return response

    wrapped.row_level = True
    return wrapped
