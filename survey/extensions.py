"""Flask extensions, created unbound and initialised in the app factory."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
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
limiter = Limiter(key_func=get_remote_address)
compress = Compress()
