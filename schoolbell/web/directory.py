"""The directory in the console: schools by district office and level, a school's classes and
head-counts, a class's people, finding a person; each role sees only its own office, school or classes."""

from __future__ import annotations

import contextlib

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User, UserRole
from schoolbell.accounts.scope import contact_scope, may_see_school, may_teach, membership_scope, school_scope
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.directory.audit import DataAction, recent, record
from schoolbell.directory.listing import LEVEL_ORDER, find_schools, headcounts
from schoolbell.directory.models import Contact, Membership, School
from schoolbell.directory.validation import InvalidValue, normalize_email, normalize_phone
from schoolbell.extensions import db
from schoolbell.web.data_log_words import detail_words, subject_words

directory = Blueprint("directory", __name__, url_prefix="/console/directory")
SCHOOLS_SHOWN = 300
PEOPLE_SHOWN = 200


def school_for(user: User, code: str) -> School:
    """The school with this code if the user may see it; 404 otherwise (its existence is not theirs)."""
    school = db.session.scalar(select(School).where(School.code == code))
    if school is None or not may_see_school(user, school):
        abort(404)
    return school


@directory.get("/")
@login_required
def schools():
    """Schools grouped by district office and level, searchable by name (ko/en) and code."""
    user = current_user()
    query, district, level = (str(request.args.get(name) or "")[:100] for name in ("q", "district", "level"))
    found = find_schools(school_scope(user), query=query, district=district,
                         level=level if level in LEVEL_ORDER else "", limit=SCHOOLS_SHOWN + 1)
    shown = found[:SCHOOLS_SHOWN]
    counts = headcounts([school.id for school in shown], where=membership_scope(user))
    return render_template("directory/schools.html", user=user, schools=shown, counts=counts,
                           more=len(found) > SCHOOLS_SHOWN, query=query, district=district, level=level,
                           levels=LEVEL_ORDER)


@directory.get("/schools/<code>")
@login_required
def school(code: str):
    """A school's classes with head-counts per role and the share reachable by SMS, email or nothing."""
    user = current_user()
    found = school_for(user, code)
    scope = membership_scope(user)
    total = headcounts([found.id], where=scope).get((found.id,))
    classes = sorted(headcounts([found.id], by_class=True, where=scope).items(),
                     key=lambda item: (item[0][1] == 0, item[0][1], item[0][2].zfill(4)))
    return render_template("directory/school.html", user=user, school=found, total=total, classes=classes)


@directory.get("/schools/<code>/classes/<int:grade>/<class_name>")
@login_required
def class_people(code: str, grade: int, class_name: str):
    """The people of one class (or, grade 0 and '-', of the school but no class), masked."""
    user = current_user()
    found = school_for(user, code)
    class_name = "" if class_name == "-" else class_name
    if not may_teach(user, found, grade, class_name):
        abort(404)
    rows = db.session.execute(
        select(Contact, Membership.role).join(Membership, Membership.contact_id == Contact.id)
        .where(Membership.school_id == found.id, Membership.grade == grade,
               Membership.class_name == class_name, membership_scope(user))
        .order_by(Membership.role, Contact.name).limit(PEOPLE_SHOWN + 1)).all()
    if not rows and not _class_exists(found, grade, class_name):
        abort(404)
    record(user.office_id, user.email, DataAction.VIEW, f"class {grade}-{class_name or '-'} of {found.code}",
           people=len(rows[:PEOPLE_SHOWN]))
    db.session.commit()
    return render_template("directory/people.html", user=user, school=found, grade=grade,
                           class_name=class_name, rows=rows[:PEOPLE_SHOWN], more=len(rows) > PEOPLE_SHOWN,
                           mask_phone=mask_phone, mask_email=mask_email, query=None)


def _class_exists(school: School, grade: int, class_name: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.school_id == school.id, Membership.grade == grade,
        Membership.class_name == class_name)) > 0


@directory.get("/people")
@login_required
def find_people():
    """Find a person among those the user may see: by name (any part), or a whole phone or email."""
    user = current_user()
    query = str(request.args.get("q") or "").strip()[:100]
    rows = []
    if query:
        # A whole phone or email is looked up by its index; anything else is part of a name.
        wanted, kind = Contact.name.contains(query, autoescape=True), "name"
        for normalize, column in ((normalize_phone, Contact.phone), (normalize_email, Contact.email)):
            with contextlib.suppress(InvalidValue, ValueError):
                wanted, kind = column == normalize(query), column.key
                break
        rows = [(contact, None) for contact in db.session.scalars(
            select(Contact).where(contact_scope(user), wanted).order_by(Contact.name)
            .limit(PEOPLE_SHOWN + 1))]
        # The log says a search by which kind of value found how many, never the value itself.
        record(user.office_id, user.email, DataAction.VIEW, f"search by {kind}",
               people=len(rows[:PEOPLE_SHOWN]))
        db.session.commit()
    return render_template("directory/people.html", user=user, school=None, rows=rows[:PEOPLE_SHOWN],
                           more=len(rows) > PEOPLE_SHOWN, mask_phone=mask_phone, mask_email=mask_email,
                           query=query)


@directory.get("/audit")
@login_required
def audit():
    """Who viewed, revealed, exported, imported or deleted personal data: the office administrator's."""
    user = current_user()
    if user.role is not UserRole.OFFICE:
        abort(404)
    action = str(request.args.get("action") or "")
    action = action if action in {a.value for a in DataAction} else ""
    actor = str(request.args.get("actor") or "")[:100]
    try:
        page = max(1, min(int(request.args.get("page") or 1), 10_000))
    except ValueError:
        page = 1
    events = recent(user.office_id, action=action, actor=actor, limit=101, offset=(page - 1) * 100)
    return render_template("directory/audit.html", user=user, events=events[:100], more=len(events) > 100,
                           page=page, action=action, actor=actor, actions=[a.value for a in DataAction])


def register_directory_pages(app) -> None:
    """Attach the directory, people, staff, import and account-recovery pages."""
    from schoolbell.accounts.recovery import recovery
    from schoolbell.web.imports import imports
    from schoolbell.web.person import person
    from schoolbell.web.staff import staff

    for blueprint in (directory, person, staff, imports, recovery):
        app.register_blueprint(blueprint)
    app.jinja_env.filters.update(data_action=data_action_label, data_subject=subject_words,
                                 data_detail=detail_words)


def data_action_label(value: str) -> str:
    """The reader's words for an audit record's action."""
    words = {"view": _("Viewed a person"), "reveal": _("Showed a phone or email"),
             "export": _("Downloaded a person's data"), "import": _("Imported a file"),
             "delete": _("Deleted a person on request"), "sync_remove": _("Removed by a sync import")}
    return words.get(value, value)
