"""The office's connections to other systems, in the console: API keys (made, shown once, revoked) and
webhooks with their delivery log. Office administrators only; each sees only their own office's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, Length

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import UserRole
from schoolbell.api.keys import ApiKeyError, create_key, office_keys, revoke_key
from schoolbell.api.models import KeyKind
from schoolbell.api.webhooks.models import Webhook, WebhookEvent
from schoolbell.extensions import db

integrations = Blueprint("integrations", __name__, url_prefix="/console/integrations")
LOG_ROWS = 20
KIND_HINTS = {
    KeyKind.LIVE: _l("Live: sends to everyone the alert targets."),
    KeyKind.TEAM: _l("Team: sends only to your office's own staff, for trying an integration."),
    KeyKind.TEST: _l("Test: goes through everything but sends nothing, and says so in every answer."),
}


class NewKeyForm(FlaskForm):
    """A key's name, kind and whether it may only read."""

    name = StringField(_l("Name (which system uses it)"), validators=[DataRequired(), Length(max=100)])
    kind = RadioField(_l("Kind"), default=KeyKind.TEST.value,
                      choices=[(kind.value, hint) for kind, hint in KIND_HINTS.items()])
    read_only = BooleanField(_l("Read only (lists and figures; cannot create or send)"))


def _office_admin():
    user = current_user()
    if user.role is not UserRole.OFFICE:
        abort(404)
    return user


def _page(user, form: NewKeyForm, new_token: str | None = None, status: int = 200):
    hooks = list(db.session.scalars(select(Webhook).where(Webhook.office_id == user.office_id)
                                    .order_by(Webhook.id)))
    logs = {hook.id: list(db.session.scalars(
        select(WebhookEvent).where(WebhookEvent.webhook_id == hook.id)
        .order_by(WebhookEvent.id.desc()).limit(LOG_ROWS))) for hook in hooks}
    return render_template("console/integrations.html", user=user, form=form, keys=office_keys(user.office),
                           new_token=new_token, hooks=hooks, logs=logs), status


@integrations.get("/")
@login_required
def index():
    """The office's API keys and webhooks."""
    return _page(_office_admin(), NewKeyForm())


@integrations.post("/keys")
@login_required
def new_key():
    """Make a key and show its token once, on this answer only (it is stored hashed)."""
    user = _office_admin()
    form = NewKeyForm()
    if not form.validate_on_submit():
        return _page(user, form, status=400)
    try:
        _key, token = create_key(user.office, form.name.data, form.kind.data, actor=user.email,
                                 read_only=form.read_only.data)
    except ApiKeyError as problem:
        form.name.errors.append(str(problem))
        return _page(user, form, status=400)
    db.session.commit()
    return _page(user, NewKeyForm(formdata=None), new_token=token)


@integrations.post("/keys/<prefix>/revoke")
@login_required
def revoke(prefix: str):
    """Revoke a key of this office: it answers 401 from now on."""
    user = _office_admin()
    try:
        key = revoke_key(user.office, prefix)
    except ApiKeyError:
        abort(404)
    db.session.commit()
    flash(_("Key %(name)s revoked.", name=key.name))
    return redirect(url_for("integrations.index"))
