"""The API's schemas: each one validates what comes in and documents it in /api/openapi.json."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schoolbell.alerts.models import AlertClass, AlertStatus, Channel, DeliveryStatus
from schoolbell.api.pagination import PageArgs
from schoolbell.directory.models import Role, SchoolLevel

NO_NUL = validate.Regexp(r"^[^\x00]*$", error="must not contain a NUL character")


def text(limit: int | None = None, minimum: int | None = None, **kwargs) -> fields.String:
    """A string without NULs, of `minimum` to `limit` characters."""
    checks = [NO_NUL] + ([validate.Length(min=minimum, max=limit)] if limit or minimum else [])
    return fields.String(validate=checks, **kwargs)


class Strict(Schema):
    """Unknown fields are an error naming the field (marshmallow's default RAISE)."""


class Envelope(Schema):
    """Every answer says when a test key was used."""

    test_mode = fields.Boolean(metadata={"description": "true when a test key was used: nothing is sent"})


class SchoolOut(Envelope):
    """A school of the caller's office."""

    code = fields.String(required=True, metadata={"description": "NEIS standard school code"})
    name_ko = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    level = fields.String(required=True, validate=validate.OneOf([level.value for level in SchoolLevel]))
    district_office = fields.String(allow_none=True)
    gu = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class PageOut(Envelope):
    """A page of a list; `next_cursor` is null on the last page."""

    next_cursor = fields.String(allow_none=True, required=True)


class SchoolPage(PageOut):
    """A page of schools."""

    items = fields.List(fields.Nested(SchoolOut), required=True)


class SchoolArgs(PageArgs):
    """Filters of the school list."""

    level = fields.String(validate=validate.OneOf([level.value for level in SchoolLevel]))


class TargetIn(Strict):
    """Who receives the alert; an empty or absent list means everyone."""

    school_codes = fields.List(text(10), validate=validate.Length(max=2000))
    levels = fields.List(fields.String(validate=validate.OneOf([lv.value for lv in SchoolLevel])))
    grades = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=12)),
                         validate=validate.Length(max=12))
    classes = fields.List(text(10), validate=validate.Length(max=200))
    roles = fields.List(fields.String(validate=validate.OneOf([role.value for role in Role])))


class AlertIn(Strict):
    """A new alert: class, Korean and/or English texts, a link, a lesson, a target."""

    alert_class = fields.String(required=True, data_key="class",
                                validate=validate.OneOf([kind.value for kind in AlertClass]))
    title_ko = text(200, load_default="")
    body_ko = text(5000, load_default="")
    title_en = text(200, load_default="")
    body_en = text(5000, load_default="")
    link_url = text(500, load_default="")
    lesson_slug = text(100, load_default="")
    target = fields.Nested(TargetIn, load_default=dict)
    exercise = fields.Boolean(load_default=False, metadata={
        "description": "a drill: titles labelled [훈련]/[Drill], sent only to the office's staff (its test "
                       "group), CAP status Exercise, left out of the public feed"})

    @validates_schema
    def _one_language(self, data, **_kwargs):
        has = {language: data.get(f"title_{language}") and data.get(f"body_{language}")
               for language in ("ko", "en")}
        if not (has["ko"] or has["en"]):
            raise ValidationError("an alert needs a title and a body in Korean or in English", "title_ko")


class TargetOut(Schema):
    """The alert's target as stored."""

    school_codes = fields.List(fields.String())
    levels = fields.List(fields.String())
    grades = fields.List(fields.Integer())
    classes = fields.List(fields.String())
    roles = fields.List(fields.String())
    district_office_ids = fields.List(fields.Integer())


class AlertOut(Envelope):
    """An alert of the caller's office."""

    id = fields.Integer(required=True)
    alert_class = fields.String(required=True, data_key="class")
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in AlertStatus]))
    mode = fields.String(required=True, validate=validate.OneOf(["live", "team", "exercise", "test"]),
                         metadata={"description": "live, team (office staff only), exercise (a drill, "
                                                  "office staff only) or test (nothing sent)"})
    title_ko = fields.String(allow_none=True)
    body_ko = fields.String(allow_none=True)
    title_en = fields.String(allow_none=True)
    body_en = fields.String(allow_none=True)
    link_url = fields.String(allow_none=True)
    lesson_slug = fields.String(allow_none=True)
    target = fields.Nested(TargetOut, required=True)
    created_at = fields.String(required=True, metadata={"description": "ISO 8601, Seoul time"})
    send_at = fields.String(allow_none=True)
    cancelled_at = fields.String(allow_none=True)
    warnings = fields.List(fields.String())
    links = fields.Dict(keys=fields.String(), values=fields.String())


class AlertPage(PageOut):
    """A page of alerts, newest last."""

    items = fields.List(fields.Nested(AlertOut), required=True)


class AlertListArgs(PageArgs):
    """Filters of the alert list."""

    status = fields.String(validate=validate.OneOf([s.value for s in AlertStatus]))


class ScheduleIn(Strict):
    """When to send: ISO 8601 with an offset, e.g. 2026-12-05T09:00:00+09:00."""

    send_at = fields.AwareDateTime(required=True, format="iso")


class Messages(Schema):
    """Messages per channel."""

    sms = fields.Integer(required=True)
    email = fields.Integer(required=True)
    total = fields.Integer(required=True)


class PreviewOut(Envelope):
    """What sending would do: people, messages per channel, SMS length, who cannot be reached."""

    alert_id = fields.Integer(required=True)
    people = fields.Integer(required=True)
    messages = fields.Nested(Messages, required=True)
    unreachable = fields.Integer(required=True)
    unreachable_listed = fields.List(fields.Dict())
    sms_analysis = fields.Dict()
    warnings = fields.List(fields.String())
    missing_languages = fields.List(fields.String())
    reaches_nobody = fields.String(allow_none=True)
    delivers_to = fields.String(required=True, metadata={"description": "who a send with this key reaches"})
    timing = fields.Dict()


class ActionOut(Envelope):
    """The outcome of send, schedule or cancel."""

    alert = fields.Nested(AlertOut, required=True)
    deliveries = fields.Integer(allow_none=True, metadata={"description": "messages created or cancelled"})
    message = fields.String(required=True)


class StatusOut(Envelope):
    """Where an alert is: its status and its deliveries counted by status and channel."""

    alert_id = fields.Integer(required=True)
    status = fields.String(required=True)
    mode = fields.String(required=True)
    total = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_channel = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    uncertain = fields.Integer(required=True)
    acknowledged = fields.Integer(required=True)
    finished = fields.Boolean(required=True)
    simulated = fields.Dict(allow_none=True, metadata={"description": "test keys: what would have gone"})


class DeliveryOut(Schema):
    """One message to one person on one channel; the address is masked."""

    id = fields.Integer(required=True)
    channel = fields.String(required=True, validate=validate.OneOf([c.value for c in Channel]))
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in DeliveryStatus]))
    address = fields.String(required=True, metadata={"description": "masked: +8210****5678, k**@example.com"})
    language = fields.String(required=True)
    attempts = fields.Integer(required=True)
    error_code = fields.String(allow_none=True)
    error_reason = fields.String(allow_none=True)
    sent_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)


class DeliveryPage(PageOut):
    """A page of an alert's deliveries."""

    items = fields.List(fields.Nested(DeliveryOut), required=True)


class DeliveryArgs(PageArgs):
    """Filters of the delivery list."""

    status = fields.String(validate=validate.OneOf([s.value for s in DeliveryStatus]))
    channel = fields.String(validate=validate.OneOf([c.value for c in Channel]))


class LessonOut(Envelope):
    """A prevention lesson; the body is the Markdown source per language."""

    slug = fields.String(required=True)
    version = fields.Integer(required=True)
    audiences = fields.List(fields.String(), required=True)
    duration_minutes = fields.Integer(required=True)
    topics = fields.List(fields.String(), required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    summary = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    body_markdown = fields.Dict(keys=fields.String(), values=fields.String())
    url = fields.String(required=True)


class LessonPage(PageOut):
    """A page of lessons."""

    items = fields.List(fields.Nested(LessonOut), required=True)
