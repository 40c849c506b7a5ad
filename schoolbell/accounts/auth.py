"""Signing in and out of the console, and the decorator that guards its pages."""

from __future__ import annotations

import functools
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.accounts.models import User
from schoolbell.accounts.password_hashing import hash_password, password_matches
from schoolbell.extensions import db, limiter

auth = Blueprint("auth", __name__)


# Failed sign-ins allowed per account and per address; a success costs nothing.
PER_ACCOUNT, PER_ADDRESS = "5 per 15 minutes", "30 per 15 minutes"


def current_user() -> User | None:
    """The signed-in user of this request, if any (cached on the request, which never outlives it).

    A session signed before the user's last sign-out or password change is worthless, even a copy.
    """
    if "schoolbell.user" not in request.environ:
        user_id = session.get("user_id")
        user = db.session.get(User, user_id) if user_id else None
        if user is not None and (session.get("epoch") != user.session_epoch or not user.active):
            session.clear()
            user = None
        request.environ["schoolbell.user"] = user
    return request.environ["schoolbell.user"]


def local_path(target: str) -> str | None:
    """`target` if it is a path on this site, else None: an open redirect would let a phishing link
    borrow our sign-in page. Browsers drop tabs and newlines and read a backslash as a slash, so a
    path holding a control character or a backslash may lead to another site: refused."""
    if not target.startswith("/") or any(ord(c) < 0x20 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def login_required(view):
    """Send anonymous visitors to the sign-in page."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)
    return guarded


def _account_key() -> str:
    return "sign-in:" + request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    return response.status_code == 401


@functools.cache
def _decoy_hash() -> str:
    # Checked when no account has the email, so that a wrong email takes as long as a wrong password.
    return hash_password(secrets.token_urlsafe(16))


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_ACCOUNT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=_failed)
def login():
    """The sign-in form; wrong passwords are throttled per account and per address."""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None:
            password_matches(_decoy_hash(), password)
        elif user.check_password(password) and user.active:
            session.clear()
            session["user_id"], session["epoch"] = user.id, user.session_epoch
            return redirect(local_path(request.args.get("next", "")) or url_for("console.dashboard"))
        error = _("Wrong email or password.")
    return render_template("accounts/login.html", error=error), 401 if error else 200


@auth.errorhandler(429)
def too_many_attempts(error):
    """Say, in the reader's language, when signing in may be tried again."""
    now = timeutil.utcnow().timestamp()
    wait = max(1, int(getattr(error, "reset_at", now + 60) - now))
    message = _("Too many failed sign-ins. Try again in %(minutes)s minutes.", minutes=max(1, -(-wait // 60)))
    response = render_template("accounts/login.html", error=message)
    return response, 429, {"Retry-After": str(wait)}


@auth.post("/logout")
def logout():
    """Sign out: this session and every copy of it end."""
    user = current_user()
    if user is not None:
        user.end_sessions()
        db.session.commit()
    session.clear()
    return redirect(url_for("pages.home"))
