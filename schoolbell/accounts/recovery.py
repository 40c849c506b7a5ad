"""Setting a password through a one-time link (an invitation or a reset) and asking for a reset link.

Asking never reveals whether an account exists: the answer and the time taken are the same.
"""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from schoolbell.accounts import tokens
from schoolbell.accounts.models import User
from schoolbell.accounts.passwords import MIN_LENGTH, WeakPassword, check_password_strength
from schoolbell.channels.messages import EmailMessage
from schoolbell.extensions import db, limiter

recovery = Blueprint("recovery", __name__, url_prefix="/account")
PER_ADDRESS, PER_ACCOUNT = "10 per hour", "3 per hour"


def link_email(user: User, purpose: str, token: str) -> EmailMessage:
    """The email carrying a one-time link, in Korean and English (the reader's language is not known yet)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    link = base + url_for("recovery.set_password", token=token)
    if purpose == "invite":
        subject = "[SchoolBell] 계정 초대 / You are invited"
        ko = (f"{user.name}님, 스쿨벨 콘솔 계정이 만들어졌습니다. "
              "3일 안에 아래 링크에서 비밀번호를 정해 주세요.")
        en = f"{user.name}, a SchoolBell console account was made for you. Set your password within 3 days:"
    else:
        subject = "[SchoolBell] 비밀번호 재설정 / Reset your password"
        ko = "비밀번호 재설정을 요청하셨습니다. 1시간 안에 아래 링크에서 새 비밀번호를 정해 주세요."
        en = "You asked to reset your password. Choose a new one within 1 hour:"
    text = (f"{ko}\n{link}\n\n{en}\n{link}\n\n"
            "요청하지 않으셨다면 이 메일을 무시하세요. / If you did not ask for this, ignore this email.\n")
    return EmailMessage(to=user.email, subject=subject, text=text)


MAIL_THREADS = "schoolbell.account_mail_threads"


def send_link(user: User, purpose: str, *, in_background: bool = False) -> None:
    """Issue a link for the user and email it (the session is committed first, so the link works).

    Raises ChannelError when the email cannot be sent; in the background, a failure is only logged
    (an answer that waited for the mail server would tell who has an account).
    """
    from schoolbell.delivery.backends import get_backends

    token = tokens.issue(user, purpose)
    db.session.commit()
    message, app = link_email(user, purpose, token), current_app._get_current_object()
    if not in_background:
        get_backends(app).email.send(message)
        return

    def send() -> None:
        try:
            get_backends(app).email.send(message)
        except Exception:  # noqa: BLE001 — nobody is waiting for this answer: log it
            app.logger.exception("account email could not be sent (user %s)", user.id)

    thread = threading.Thread(target=send, name="account-mail", daemon=True)
    app.extensions.setdefault(MAIL_THREADS, []).append(thread)
    thread.start()


def _email_key() -> str:
    return "forgot:" + request.form.get("email", "").strip().lower()[:254]


@recovery.route("/forgot", methods=["GET", "POST"])
@limiter.limit(PER_ACCOUNT, key_func=_email_key, methods=["POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
def forgot():
    """Ask for a reset link by email; the answer is the same whether or not the account exists."""
    sent = False
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()[:254]
        user = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
        if user is not None and user.active:
            send_link(user, "reset", in_background=True)
        sent = True
    return render_template("accounts/forgot.html", sent=sent)


@recovery.errorhandler(429)
def too_many(error):
    """Throttled: say so in the reader's language."""
    return render_template("accounts/forgot.html", sent=False,
                           error=_("Too many requests. Try again in an hour.")), 429


# Under /p/: the access logs redact what follows it, and the token is a credential.
@recovery.route("/p/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Set one's own password through an invitation or reset link, once, before it expires."""
    found = tokens.find(token, "invite") or tokens.find(token, "reset")
    if found is None or not found.user.active:
        return render_template("accounts/set_password.html", expired=True), 404
    user, error = found.user, None
    if request.method == "POST":
        password = request.form.get("password", "")
        try:
            check_password_strength(password, user.email, user.name)
        except WeakPassword:
            error = (_("A password needs at least %(count)s characters.", count=MIN_LENGTH)
                     if len(password) < MIN_LENGTH else
                     _("This password is too easy to guess: use several unusual words."))
        if error is None and password != request.form.get("password_again", ""):
            error = _("The two passwords are not the same.")
        if error is None:
            user.set_password(password)
            tokens.use(found)
            db.session.commit()
            return render_template("accounts/set_password.html", done=True, user=user)
    return render_template("accounts/set_password.html", user=user, error=error,
                           invite=found.purpose == "invite"), 400 if error else 200
