"""Administrators manage staff accounts: create editors and administrators, assign organisations,
deactivate. Staff accounts are staff only: nothing about people seeking help is ever stored."""
from __future__ import annotations

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from helplines import models as m
from helplines.accounts import ROLES, AccountError, StaffUser, create_user, set_organisations
from staff.auth import admin_only, current_user, db


def _organisations() -> list[m.Organization]:
    return list(db().scalars(select(m.Organization).order_by(m.Organization.name)))


def _user_or_abort(user_id: int) -> StaffUser:
    user = db().get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


@admin_only
def users_page():  # type: ignore[no-untyped-def]
    errors: dict[str, str] = {}
    values = {"role": "editor", "organisations": []}
    if request.method == "POST":
        values = {"username": request.form.get("username", "").strip(), "role": request.form.get("role", ""),
                  "organisations": request.form.getlist("organisations")}
        try:
            user = create_user(db(), values["username"], request.form.get("password", ""), values["role"],
                               values["organisations"])
            db().commit()
        except AccountError as refused:
            db().rollback()
            errors["create"] = str(refused)
        else:
            flash(f"Account {user.username} ({user.role}) created.")
            return redirect(url_for("users_page"))
    users = list(db().scalars(select(StaffUser).order_by(StaffUser.username)))
    return render_template("users.html", users=users, roles=ROLES, organisations=_organisations(),
                           values=values, errors=errors), (400 if errors else 200)


@admin_only
def user_organisations(user_id: int):  # type: ignore[no-untyped-def]
    user = _user_or_abort(user_id)
    try:
        set_organisations(db(), user, request.form.getlist("organisations"))
        db().commit()
    except AccountError as refused:
        db().rollback()
        flash(f"{user.username}: {refused}", "error")
    else:
        flash(f"Organisations of {user.username} saved.")
    return redirect(url_for("users_page"))


@admin_only
def user_active(user_id: int):  # type: ignore[no-untyped-def]
    user = _user_or_abort(user_id)
    active = request.form.get("active") == "yes"
    if user.id == current_user().id and not active:
        flash("You cannot deactivate your own account; ask another administrator.", "error")
        return redirect(url_for("users_page"))
    user.active = active
    db().commit()
    flash(f"{user.username} is {'active again' if active else 'deactivated: they can no longer log in'}.")
    return redirect(url_for("users_page"))


def init(app: Flask) -> None:
    app.add_url_rule("/users", "users_page", users_page, methods=["GET", "POST"])
    app.add_url_rule("/users/<int:user_id>/organisations", "user_organisations", user_organisations,
                     methods=["POST"])
    app.add_url_rule("/users/<int:user_id>/active", "user_active", user_active, methods=["POST"])
