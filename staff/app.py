"""create_app(): the staff web app and the protections around every request.

Staff accounts are created on the command line; here they log in, edit what their role
allows, and every change goes through `helplines.editing` (validated, audited, live for the
bot on its next answer). The protections are plain: a signed session cookie that is HttpOnly,
SameSite=Strict and expires after 30 idle minutes, a rate-limited log-in, a CSRF token on
every form, and headers that keep the pages out of frames, caches and other origins.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from typing import Optional

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from helplines.directory import open_directory

IDLE_TIMEOUT = timedelta(minutes=30)
SECRET_ENV = "HULPWIJZER_STAFF_SECRET"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(database_url: Optional[str] = None, *, secret_key: Optional[str] = None,
               testing: bool = False) -> Flask:
    """The staff app on `database_url` (default: $HULPWIJZER_DATABASE_URL, as the bot uses).

    Without a secret key (argument or $HULPWIJZER_STAFF_SECRET) a random one is made, so
    every restart logs everybody out: safe, only a little inconvenient.
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or os.environ.get(SECRET_ENV) or secrets.token_hex(32),
        TESTING=testing,
        SESSION_COOKIE_NAME="hulpwijzer_staff",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # Flask refuses a signed session older than this; each request renews it (idle timeout).
        PERMANENT_SESSION_LIFETIME=IDLE_TIMEOUT,
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    app.extensions["hulpwijzer_directory"] = open_directory(database_url)
    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")

    from staff import audit_views, auth, edit_views, user_views

    auth.init(app, limiter)
    edit_views.init(app)
    audit_views.init(app)
    user_views.init(app)

    @app.teardown_appcontext
    def _close_session(_error: Optional[BaseException]) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app
