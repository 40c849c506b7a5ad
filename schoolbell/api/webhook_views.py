"""/api/v1/webhooks: register endpoints, rotate their secrets, read their delivery log."""

from __future__ import annotations

import json

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from schoolbell.api.alert_io import iso_seoul
from schoolbell.api.framework import api_blueprint, current_office_id
from schoolbell.api.pagination import PageArgs, page
from schoolbell.api.problems import ApiProblem
from schoolbell.api.schemas import Envelope, PageOut, Strict, text
from schoolbell.api.webhooks.manage import (
    WebhookError,
    create_webhook,
    office_webhook,
    retire_previous,
    rotate_secret,
)
from schoolbell.api.webhooks.models import EVENT_TYPES, Webhook, WebhookEvent
from schoolbell.extensions import db

blp = api_blueprint("api_webhooks", __name__, "/api/v1/webhooks",
                    "Webhooks: signed POSTs of delivery status, finished alerts and acknowledgements")


class WebhookIn(Strict):
    """Where to post and which events."""

    url = text(500, required=True)
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), required=True,
                         validate=validate.Length(min=1, max=len(EVENT_TYPES)))
    description = text(100, load_default="")


class WebhookOut(Envelope):
    """A webhook; `secret` appears only when it was just made or rotated."""

    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    description = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    secret_id = fields.String(required=True)
    previous_secret_id = fields.String(allow_none=True)
    secret = fields.String(metadata={"description": "shown once: keep it to check signatures"})


class WebhookPage(PageOut):
    """A page of webhooks."""

    items = fields.List(fields.Nested(WebhookOut), required=True)


class EventOut(Schema):
    """One posted event and its outcome (the delivery log)."""

    id = fields.Integer(required=True)
    type = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["pending", "delivered", "failed"]))
    attempts = fields.Integer(required=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    next_attempt_at = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)
    payload = fields.Dict(required=True)


class EventPage(PageOut):
    """A page of a webhook's events."""

    items = fields.List(fields.Nested(EventOut), required=True)


def webhook_out(hook: Webhook, secret: str | None = None) -> dict:
    """A webhook as the API shows it (the secret only when given)."""
    shown = {"id": hook.id, "url": hook.url, "events": hook.events, "description": hook.description,
             "active": hook.active, "secret_id": hook.secret_id,
             "previous_secret_id": hook.previous_secret_id}
    if secret:
        shown["secret"] = secret
    return shown


def _mine(webhook_id: int) -> Webhook:
    hook = office_webhook(current_office_id(), webhook_id)
    if hook is None:
        raise ApiProblem(404, f"your office has no webhook {webhook_id}")
    return hook


@blp.route("", methods=["POST"])
@blp.arguments(WebhookIn)
@blp.response(201, WebhookOut)
def create(data):
    """Register an endpoint; the answer holds its signing secret, shown this once."""
    try:
        hook, secret = create_webhook(current_office_id(), data["url"], data["events"], data["description"])
    except WebhookError as error:
        db.session.rollback()
        field = "body.url" if str(error).startswith("url") else "body.events"
        raise ApiProblem(422, str(error), [{"field": field, "message": str(error)}]) from error
    db.session.commit()
    return webhook_out(hook, secret)


@blp.route("")
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.response(200, WebhookPage)
def list_webhooks(**args):
    """The office's webhooks."""
    query = select(Webhook).where(Webhook.office_id == current_office_id())
    rows, next_cursor = page(query, Webhook.id, args)
    return {"items": [webhook_out(row) for row in rows], "next_cursor": next_cursor}


@blp.route("/<int:webhook_id>/rotate", methods=["POST"])
@blp.response(200, WebhookOut)
def rotate(webhook_id: int):
    """A new secret; events are signed with both old and new until retire-previous is called."""
    hook = _mine(webhook_id)
    secret = rotate_secret(hook)
    db.session.commit()
    return webhook_out(hook, secret)


@blp.route("/<int:webhook_id>/retire-previous", methods=["POST"])
@blp.response(200, WebhookOut)
def retire(webhook_id: int):
    """End a rotation: only the current secret signs from now on."""
    hook = _mine(webhook_id)
    retire_previous(hook)
    db.session.commit()
    return webhook_out(hook)


@blp.route("/<int:webhook_id>/disable", methods=["POST"])
@blp.response(200, WebhookOut)
def disable(webhook_id: int):
    """Stop posting to this endpoint (events not yet posted fail)."""
    hook = _mine(webhook_id)
    hook.active = False
    db.session.commit()
    return webhook_out(hook)


@blp.route("/<int:webhook_id>/events")
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.response(200, EventPage)
def events(webhook_id: int, **args):
    """The delivery log: each event, its attempts, the last answer or error."""
    hook = _mine(webhook_id)
    rows, next_cursor = page(select(WebhookEvent).where(WebhookEvent.webhook_id == hook.id),
                             WebhookEvent.id, args)
    return {"items": [{"id": e.id, "type": e.event_type, "status": e.status, "attempts": e.attempts,
                       "last_status_code": e.last_status_code, "last_error": e.last_error,
                       "created_at": iso_seoul(e.created_at),
                       "next_attempt_at": iso_seoul(e.next_attempt_at) if e.status == "pending" else None,
                       "delivered_at": iso_seoul(e.delivered_at), "payload": json.loads(e.payload)}
                      for e in rows], "next_cursor": next_cursor}
