"""Web pages: the office console and the public pages parents open from a message."""

from flask import Flask
from werkzeug.routing import IntegerConverter


class DatabaseId(IntegerConverter):
    """`<int:…>` in our URLs is a row id: beyond a 32-bit integer column's range it names nothing (404)."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False):
        super().__init__(url_map, fixed_digits, min, 2**31 - 1 if max is None else max, signed)


def register_web(app: Flask) -> None:
    """Attach the web blueprints."""
    from schoolbell.accounts.auth import auth
    from schoolbell.alerts.links import is_web_link
    from schoolbell.curriculum.views import lessons
    from schoolbell.extensions import csrf

    # compose_actions, compose_live, compose_release, compose_test_send and templates_admin attach the
    # compose blueprint's other routes (sending, live checks, release, test send, templates) when imported.
    from schoolbell.web import (  # noqa: F401, I001
        compose_actions,
        compose_live,
        compose_release,
        compose_test_send,
        failure_reasons,
        layout,
        security_headers,
        templates_admin,
        vocabulary,
    )
    from schoolbell.web.assign import assign
    from schoolbell.web.compose import compose
    from schoolbell.web.console import console
    from schoolbell.web.failures import failures_page  # noqa: F401  (its routes join the console)
    from schoolbell.web.integrations import integrations
    from schoolbell.web.metrics import metrics
    from schoolbell.web.preferences import preferences
    from schoolbell.web.recipient import recipient
    from schoolbell.web.unsubscribe import unsubscribe
    from schoolbell.web.views import pages

    security_headers.init_app(app)
    layout.init_app(app)
    vocabulary.init_app(app)
    failure_reasons.init_app(app)
    app.url_map.converters["int"] = DatabaseId
    # An alert's link is shown only if it is a web address, even one stored before links were checked.
    app.jinja_env.tests["web_link"] = is_web_link
    app.register_blueprint(pages)
    app.register_blueprint(recipient)
    app.register_blueprint(preferences)
    app.register_blueprint(unsubscribe)
    app.register_blueprint(lessons)
    # Opened from a message: the signed link in the URL is the credential, and there is no session
    # to ride on; mail providers' one-click unsubscribe (RFC 8058) posts with no page before it.
    for public in (recipient, preferences, unsubscribe, lessons):
        csrf.exempt(public)
    app.register_blueprint(auth)
    app.register_blueprint(console)
    app.register_blueprint(assign)
    app.register_blueprint(compose)
    app.register_blueprint(integrations)
    from schoolbell.web.directory import register_directory_pages

    register_directory_pages(app)
    app.register_blueprint(metrics)  # Prometheus's scrape: a token, or this machine only
