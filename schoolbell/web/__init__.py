"""Web pages: the office console and the public pages parents open from a message."""

from flask import Flask


def register_web(app: Flask) -> None:
    """Attach the web blueprints."""
    from schoolbell.accounts.auth import auth
    from schoolbell.curriculum.views import lessons
    from schoolbell.web.assign import assign
    from schoolbell.web.console import console
    from schoolbell.web.recipient import recipient
    from schoolbell.web.unsubscribe import unsubscribe
    from schoolbell.web.views import pages

    app.register_blueprint(pages)
    app.register_blueprint(recipient)
    app.register_blueprint(unsubscribe)
    app.register_blueprint(lessons)
    app.register_blueprint(auth)
    app.register_blueprint(console)
    app.register_blueprint(assign)
