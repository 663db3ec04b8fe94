"""Survey platform for Sở Nội vụ Đắk Lắk: SIPAS citizens' survey and PAR Index leaders' survey."""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey.config import engine_options, load_config
from survey.extensions import compress, csrf, db, limiter, migrate


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application: configuration, extensions, blueprints, commands."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, os.environ))
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)

    from survey import admin, api, auth, errors, health, models, respond, security  # noqa: F401
    from survey.cli import register_commands

    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.register_blueprint(health.bp)
    app.register_blueprint(respond.bp)
    csrf.exempt(respond.bp)  # checked in the view, so an expired token never loses answers
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer-key authenticated, no cookies
    security.init_app(app)
    auth.init_app(app)
    app.register_blueprint(admin.bp)
    errors.register(app)
    register_commands(app)

    if app.config["STARTUP_CHECK"]:
        from survey.startup import check_ready_to_serve

        check_ready_to_serve(app)
    return app
