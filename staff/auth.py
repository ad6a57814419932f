"""Log-in, log-out and who is asking: every page except the log-in needs an active account."""
from __future__ import annotations

import hashlib
from functools import wraps
from typing import Any, Callable, Optional, TypeVar

from flask import Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from helplines.accounts import StaffUser, authenticate

View = TypeVar("View", bound=Callable[..., Any])
PUBLIC_ENDPOINTS = {"login", "static", "favicon"}
#: Per client address, counted only for log-in attempts (not for showing the form).
LOGIN_LIMIT = "5 per minute"


def db() -> Session:
    """One database session per request, closed when the request ends."""
    if "db" not in g:
        g.db = current_app.extensions["hulpwijzer_directory"].sessions()
    return g.db


def current_user() -> StaffUser:
    return g.user


def admin_only(view: View) -> View:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.user.role != "administrator":
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _password_key(user: StaffUser) -> str:
    """Changes when the password does, so a new password ends every older session."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _logged_in_user() -> Optional[StaffUser]:
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = db().get(StaffUser, user_id)
    if user is None or not user.active or session.get("key") != _password_key(user):
        return None
    return user


def init(app: Flask, limiter: Limiter) -> None:
    @app.before_request
    def _require_login():  # type: ignore[no-untyped-def]
        g.user = _logged_in_user()
        if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
            if "user_id" in session:
                session.clear()  # expired, deactivated or a new password: start afresh
            return redirect(url_for("login"))
        return None

    @limiter.limit(LOGIN_LIMIT, methods=["POST"])
    def login():  # type: ignore[no-untyped-def]
        if request.method == "GET":
            if g.user is not None:
                return redirect(url_for("services"))
            return render_template("login.html", error=None)
        username = request.form.get("username", "").strip()
        user = authenticate(db(), username, request.form.get("password", ""))
        if user is None:
            return render_template("login.html", error="Wrong user name or password.", username=username), 401
        session.clear()
        session.permanent = True
        session["user_id"] = user.id
        session["key"] = _password_key(user)
        return redirect(url_for("services"))

    def logout():  # type: ignore[no-untyped-def]
        session.clear()
        return redirect(url_for("login"))

    app.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    app.add_url_rule("/logout", "logout", logout, methods=["POST"])
    app.add_url_rule("/", "home", lambda: redirect(url_for("services")))
    app.add_url_rule("/favicon.ico", "favicon", lambda: ("", 204))

    @app.errorhandler(CSRFError)
    def _expired_form(_error):  # type: ignore[no-untyped-def]
        return render_template("message.html", title="This form has expired",
                               message="Nothing was saved. Go back, reload the page and try again."), 400

    @app.errorhandler(429)
    def _too_many(_error):  # type: ignore[no-untyped-def]
        return render_template("message.html", title="Too many attempts",
                               message="Too many log-in attempts from here. Wait a minute, then try again."), 429

    @app.errorhandler(403)
    def _forbidden(_error):  # type: ignore[no-untyped-def]
        return render_template("message.html", title="Not yours to edit",
                               message="Your account may not open or change this entry."), 403

    @app.errorhandler(404)
    def _not_found(_error):  # type: ignore[no-untyped-def]
        return render_template("message.html", title="Not found", message="There is no such page or entry."), 404
