"""Flask extensions, created unbound and initialised in the app factory."""

from flask import current_app, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from survey.db import Base, render_item

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True, render_item=render_item)
csrf = CSRFProtect()
login_manager = LoginManager()
# Per-route limits only (the citizen form's keys: survey/respond/limits.py); storage from
# RATELIMIT_STORAGE_URI (Redis in production).


class RouteLimiter(Limiter):
    """Flask-Limiter, without its before-request pass over a view that carries its own limits.

    For such a view that pass can only apply application-wide and meta limits (Flask-Limiter's
    `resolve_limits` leaves the route's, its blueprint's and the default limits to the view's
    decorator); this app declares neither, so the pass checked nothing and cost a fifth of a
    citizen's page post (issue 27). Were either ever declared, the pass runs as before.
    """

    def init_app(self, app) -> None:
        super().init_app(app)
        self.route_limits_only = not (self.limit_manager.application_limits or self._meta_limits)

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and getattr(self, "route_limits_only", False):
            view = current_app.view_functions.get(request.endpoint or "")
            if view is not None and get_qualified_name(view) in self._marked_for_limiting:
                return  # the view's decorator checks its limits when it runs
        super()._check_request_limit(callable_name, in_middleware)


limiter = RouteLimiter(key_func=get_remote_address)
compress = Compress()
