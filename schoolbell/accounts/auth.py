"""Signing in and out of the console, and the decorator that guards its pages."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from schoolbell.accounts.models import User
from schoolbell.extensions import db

auth = Blueprint("auth", __name__)


def current_user() -> User | None:
    """The signed-in user of this request, if any (cached on the request, which never outlives it)."""
    if "schoolbell.user" not in request.environ:
        user_id = session.get("user_id")
        request.environ["schoolbell.user"] = db.session.get(User, user_id) if user_id else None
    return request.environ["schoolbell.user"]


def login_required(view):
    """Send anonymous visitors to the sign-in page."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)
    return guarded


@auth.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form."""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user and user.check_password(request.form.get("password", "")):
            session.clear()
            session["user_id"] = user.id
            target = request.args.get("next", "")
            # Only local paths: an open redirect would let a phishing link borrow our login page.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("console.dashboard")
            return redirect(target)
        error = _("Wrong email or password.")
    return render_template("accounts/login.html", error=error), 401 if error else 200


@auth.post("/logout")
def logout():
    """Sign out."""
    session.clear()
    return redirect(url_for("pages.home"))
