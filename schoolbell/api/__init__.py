"""The public JSON API (/api/v1) with its OpenAPI 3.1 document and docs page (flask-smorest)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach the API: spec settings, its blueprints, error format, rate limit and CLI commands."""
    from schoolbell.api import (
        alert_status,
        alerts,
        assignments,
        cap_views,
        docs,
        lessons,
        people,
        schools,
        webhook_views,
    )
    from schoolbell.api.cli import api_keys_cli, cap_cli, webhooks_cli
    from schoolbell.api.framework import ProblemApi, convert_stray_errors, settle_retry_after
    from schoolbell.extensions import csrf

    _check_rate_limit(app.config.setdefault("API_RATE_LIMIT", "3000 per minute"))
    app.config.setdefault("API_TITLE", "SchoolBell API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Alerts, previews, sends and delivery status of an education office. "
                                "See /api/docs."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "An office's API key: `Authorization: Bearer sb_live_…`"}}},
    })
    api = ProblemApi(app)
    for blueprint in (schools.blp, alerts.blp, alert_status.blp, lessons.blp, cap_views.blp,
                      cap_views.feed_blp, webhook_views.blp, people.blp, assignments.blp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # API calls carry a Bearer key, not a session cookie
    csrf.exempt(api._app.blueprints["api-docs"])
    _document_cross_field_rules(api)
    app.register_blueprint(docs.bp)
    app.after_request(convert_stray_errors)
    # After-request functions run last-registered first: at the list's head, this one runs after all.
    app.after_request_funcs.setdefault(None, []).insert(0, settle_retry_after)
    app.cli.add_command(api_keys_cli)
    app.cli.add_command(cap_cli)
    app.cli.add_command(webhooks_cli)


def _check_rate_limit(value: str) -> None:
    """Refuse to start with an API_RATE_LIMIT Flask-Limiter cannot read (it would fail every request)."""
    from limits import parse_many

    from schoolbell.settings import SettingsError

    try:
        if not parse_many(value):
            raise ValueError
    except ValueError as error:
        raise SettingsError(f"SchoolBell cannot start: API_RATE_LIMIT must look like '3000 per minute', "
                            f"got {value!r}") from error


def _document_cross_field_rules(api) -> None:
    """What a marshmallow field cannot say on its own: an alert needs both texts of one language."""
    alert_in = api.spec.components.schemas.get("AlertIn")
    if alert_in is not None:
        alert_in["anyOf"] = [
            {"required": ["title_ko", "body_ko"],
             "properties": {"title_ko": {"minLength": 1}, "body_ko": {"minLength": 1}}},
            {"required": ["title_en", "body_en"],
             "properties": {"title_en": {"minLength": 1}, "body_en": {"minLength": 1}}}]
