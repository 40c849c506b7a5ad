"""The landing page and a health check."""

from flask import Blueprint, render_template
from sqlalchemy import select

from schoolbell.extensions import db

pages = Blueprint("pages", __name__)


@pages.get("/")
def home():
    """What SchoolBell is, for anyone: no figures about the directory (who is on file is not public)."""
    return render_template("home.html")


@pages.get("/healthz")
def health():
    """Liveness for load balancers: answers when the database answers."""
    db.session.execute(select(1))
    return {"status": "ok"}
