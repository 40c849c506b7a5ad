"""The landing page and a health check."""

from flask import Blueprint, render_template
from sqlalchemy import func, select

from schoolbell.directory.models import Contact, School
from schoolbell.extensions import db

pages = Blueprint("pages", __name__)


@pages.get("/")
def home():
    """What SchoolBell holds: schools and people, by level."""
    by_level = db.session.execute(
        select(School.level, func.count()).group_by(School.level).order_by(School.level)).all()
    people = db.session.scalar(select(func.count()).select_from(Contact))
    return render_template("home.html", by_level=by_level, people=people)


@pages.get("/healthz")
def health():
    """Liveness for load balancers: answers when the database answers."""
    db.session.execute(select(1))
    return {"status": "ok"}
