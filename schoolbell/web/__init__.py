"""Web pages: the office console and the public pages parents open from a message."""

from flask import Flask


def register_web(app: Flask) -> None:
    """Attach the web blueprints."""
    from schoolbell.curriculum.views import lessons
    from schoolbell.web.views import pages

    app.register_blueprint(pages)
    app.register_blueprint(lessons)
