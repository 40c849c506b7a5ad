"""Web pages: the office console and the public pages parents open from a message."""

from flask import Flask


def register_web(app: Flask) -> None:
    """Attach the web blueprints."""
    from schoolbell.accounts.auth import auth
    from schoolbell.curriculum.views import lessons
    from schoolbell.extensions import csrf
    from schoolbell.web.assign import assign
    from schoolbell.web.compose import compose
    from schoolbell.web.console import console
    from schoolbell.web.recipient import recipient
    from schoolbell.web.unsubscribe import unsubscribe
    from schoolbell.web.views import pages

    app.register_blueprint(pages)
    app.register_blueprint(recipient)
    app.register_blueprint(unsubscribe)
    app.register_blueprint(lessons)
    # Opened from a message: the signed link in the URL is the credential, and there is no session
    # to ride on; mail providers' one-click unsubscribe (RFC 8058) posts with no page before it.
    for public in (recipient, unsubscribe, lessons):
        csrf.exempt(public)
    app.register_blueprint(auth)
    app.register_blueprint(console)
    app.register_blueprint(assign)
    app.register_blueprint(compose)
