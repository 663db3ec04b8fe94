"""Survey platform for Sở Nội vụ Đắk Lắk: the SIPAS citizens' survey, the PAR Index leaders'
survey, and any survey of their kinds declared in a questionnaire file (docs/architecture.md).

Citizens answer at `/q/<centre>[/<survey>]` and `/r/<token>` (`survey.respond`) or on a desk
tablet (`survey.kiosk`); leaders answer at `/l/<token>` (`survey.leaders`); staff manage places,
waves, questionnaires, receipts and counts, monitor and review responses (`survey.admin`,
`survey.auth`); dossier counts become design weights (`survey.frame`), and every wave's report
(`survey.reports`) turns them into indices with confidence intervals, or into PAR points.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey import (  # noqa: F401 (models registers the tables)
    admin,
    auth,
    errors,
    health,
    inputs,
    kiosk,
    leaders,
    media,
    models,
    reports,
    resilience,
    respond,
    security,
)
from survey.auth import commands as auth_commands
from survey.backup import commands as backup_commands
from survey.config import engine_options, load_config
from survey.counts import commands as counts_commands
from survey.demo import commands as demo_commands
from survey.exports import commands as export_commands
from survey.extensions import compress, csrf, db, limiter, migrate
from survey.leaders import commands as leaders_commands
from survey.privacy import commands as privacy_commands
from survey.publishing import commands as publishing_commands
from survey.reports import commands as report_commands
from survey.respond import commands as respond_commands
from survey.setup import commands as setup_commands
from survey.startup import check_ready_to_serve

# Each feature package's `commands.py` lists its CLI groups and commands in COMMANDS.
COMMAND_MODULES = (
    setup_commands, export_commands, respond_commands, publishing_commands, auth_commands, leaders_commands,
    privacy_commands, counts_commands, demo_commands, report_commands, backup_commands,
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application: configuration, extensions, blueprints, commands."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, os.environ))
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])

    db.init_app(app)
    resilience.init_app(app)  # after db.init_app: its teardown must run before Flask-SQLAlchemy's
    inputs.init_app(app)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)

    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.register_blueprint(health.bp)
    app.register_blueprint(respond.bp)
    csrf.exempt(respond.bp)  # checked in the view, so an expired token never loses answers
    app.register_blueprint(respond.api.bp)
    csrf.exempt(respond.api.bp)  # bearer-key authenticated, no cookies
    security.init_app(app)
    auth.init_app(app)
    app.register_blueprint(admin.bp)
    app.register_blueprint(leaders.bp)
    csrf.exempt(leaders.bp)  # the link's single-use token is the secret a forged post would need
    app.register_blueprint(leaders.admin_bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(media.admin_bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(kiosk.staff_bp)
    errors.register(app)
    for module in COMMAND_MODULES:
        for command in module.COMMANDS:
            app.cli.add_command(command)

    if app.config["STARTUP_CHECK"]:
        check_ready_to_serve(app)
    return app
