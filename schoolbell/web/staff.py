"""Staff accounts in the console: the office administrator manages the office's staff, a school
administrator their school's teachers; invitations by email with a one-time link."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User
from schoolbell.accounts.recovery import send_link
from schoolbell.accounts.scope import is_admin, may_manage, school_scope, staff_scope
from schoolbell.accounts.staff import StaffError, apply, invite, roles_for, set_active
from schoolbell.channels.errors import ChannelError
from schoolbell.directory.models import School
from schoolbell.extensions import db

staff = Blueprint("staff", __name__, url_prefix="/console/staff")


def _manager() -> User:
    user = current_user()
    if not is_admin(user):
        abort(404)  # teachers manage no accounts
    return user


def _account(manager: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not may_manage(manager, user):
        abort(404)
    return user


def _schools(manager: User) -> list[School]:
    return list(db.session.scalars(select(School).where(school_scope(manager)).order_by(School.name_ko)
                                   .limit(2000)))


@staff.get("/")
@login_required
def index():
    """The staff the user manages, and the form to invite someone."""
    manager = _manager()
    accounts = db.session.scalars(select(User).where(staff_scope(manager))
                                  .order_by(User.active.desc(), User.role, User.name)).all()
    return render_template("staff/index.html", user=manager, accounts=accounts, roles=roles_for(manager),
                           schools=_schools(manager), form={}, error=None)


@staff.post("/invite")
@login_required
def invite_someone():
    """Create the account and email its one-time link; the invitee sets their own password."""
    manager = _manager()
    form = request.form
    try:
        user = invite(manager, email=form.get("email", ""), name=form.get("name", ""),
                      role=form.get("role", ""), school_code=form.get("school", ""),
                      classes=form.get("classes", ""))
        db.session.flush()
        sent = _send_invitation(user)
    except StaffError as problem:
        db.session.rollback()
        accounts = db.session.scalars(select(User).where(staff_scope(manager)).order_by(User.name)).all()
        return render_template("staff/index.html", user=manager, accounts=accounts, roles=roles_for(manager),
                               schools=_schools(manager), form=form, error=str(problem)), 400
    if sent:
        flash(_("An invitation went to %(email)s. The link works for 3 days.", email=user.email), "done")
    return redirect(url_for("staff.index"))


def _send_invitation(user: User) -> bool:
    """Email the invitation; say so when the mail server refused it (the account stays, to send again)."""
    try:
        send_link(user, "invite")
    except ChannelError:
        current_app.logger.exception("invitation email could not be sent (user %s)", user.id)
        flash(_("The account for %(email)s was made, but the invitation email could not be sent. "
                "Try “Send a new invitation link” on its page.", email=user.email), "error")
        return False
    return True


@staff.route("/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id: int):
    """Change an account's role, school and classes."""
    manager = _manager()
    account = _account(manager, user_id)
    error = None
    if request.method == "POST":
        try:
            if account.id == manager.id:
                raise StaffError(_("You cannot change your own role."))
            apply(manager, account, role=request.form.get("role", ""),
                  school_code=request.form.get("school", ""), classes=request.form.get("classes", ""))
            db.session.commit()
            flash(_("Saved."), "done")
            return redirect(url_for("staff.edit", user_id=account.id))
        except StaffError as problem:
            db.session.rollback()
            account = _account(manager, user_id)
            error = str(problem)
    return render_template("staff/edit.html", user=manager, account=account, roles=roles_for(manager),
                           schools=_schools(manager), error=error), 400 if error else 200


@staff.post("/<int:user_id>/active")
@login_required
def activate(user_id: int):
    """Deactivate an account (its sessions end at once), or reactivate it."""
    manager = _manager()
    account = _account(manager, user_id)
    try:
        set_active(manager, account, request.form.get("active") == "1")
        db.session.commit()
        flash(_("Saved."), "done")
    except StaffError as problem:
        flash(str(problem), "error")
    return redirect(url_for("staff.edit", user_id=account.id))


@staff.post("/<int:user_id>/resend")
@login_required
def resend(user_id: int):
    """Send a new invitation link (the earlier one stops working)."""
    manager = _manager()
    account = _account(manager, user_id)
    if _send_invitation(account):
        flash(_("An invitation went to %(email)s. The link works for 3 days.", email=account.email), "done")
    return redirect(url_for("staff.edit", user_id=account.id))
