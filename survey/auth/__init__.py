"""Staff sign-in (Flask-Login): login, logout, password change, lockout."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, jsonify, redirect, request, session, url_for

from survey.auth import sessions
from survey.extensions import login_manager
from survey.models import User

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

LOGIN_NEEDED = "Vui lòng đăng nhập để tiếp tục."
# Staff are addressed as "Bạn", as on the other sign-in pages.
MUST_CHANGE_PASSWORD = "Bạn cần đổi mật khẩu dùng một lần trước khi tiếp tục."  # nosec B105
# What an account holding a one-time password may still open.
OPEN_WITH_ONE_TIME_PASSWORD = frozenset({"auth.change_password", "auth.logout", "auth.login", "static"})


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Find the session's account; a session of an older generation, or of a deactivated
    account, has ended (see `survey.auth.sessions`)."""
    return sessions.current_holder(user_id)


@login_manager.unauthorized_handler
def unauthorized():
    """Send the browser to the login page, or answer 401 for the API."""
    if request.path.startswith("/api/"):
        return jsonify(error="authentication required", status=401), 401
    flash(LOGIN_NEEDED, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_own_password():
    """Send an account still holding a one-time password to the password change page."""
    if request.endpoint in OPEN_WITH_ONE_TIME_PASSWORD or request.blueprint == "api":
        return None
    # Read from the session itself, as the idle check does, not from Flask-Login's per-request cache.
    user = sessions.current_holder(session.get(sessions.USER_ID_KEY))
    if user is None or not user.must_change_password:
        return None
    flash(MUST_CHANGE_PASSWORD, "warning")
    return redirect(url_for("auth.change_password"))


def init_app(app: Flask) -> None:
    """Set up Flask-Login, the server-side session checks, and register the blueprint."""
    login_manager.init_app(app)
    sessions.init_app(app)
    login_manager.session_protection = "basic"
    app.before_request(require_own_password)  # after the idle check, which may end the session
    app.register_blueprint(bp)


from survey.auth import views  # noqa: E402,F401 (registers the routes)
