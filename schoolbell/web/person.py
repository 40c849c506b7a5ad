"""A person's page in the console: memberships, channels (masked until "show", which is logged),
language, consent, opt-outs, alerts received; and, for the office administrator, export and erasure."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User, UserRole
from schoolbell.accounts.scope import contact_scope, membership_scope
from schoolbell.alerts.drills import designate, in_group, release
from schoolbell.alerts.models import Acknowledgement, Alert, Delivery
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.directory.audit import DataAction, record
from schoolbell.directory.erasure import erase_contacts
from schoolbell.directory.models import Contact, Membership, School
from schoolbell.directory.preference_models import SchoolOptOut
from schoolbell.extensions import db
from schoolbell.timeutil import utcnow

person = Blueprint("person", __name__, url_prefix="/console/directory/people")
ALERTS_SHOWN = 50


def person_for(user: User, contact_id: int) -> Contact:
    """The person if the user may see them (through one of their own office's, school's or classes'
    memberships); 404 otherwise."""
    contact = db.session.scalar(select(Contact).where(Contact.id == contact_id, contact_scope(user)))
    if contact is None:
        abort(404)
    return contact


def _subject(contact: Contact) -> str:
    return f"person #{contact.id}"


def _page(user: User, contact: Contact, revealed: bool):
    memberships = db.session.execute(
        select(Membership, School).join(School, School.id == Membership.school_id)
        .where(Membership.contact_id == contact.id, membership_scope(user))
        .order_by(School.name_ko, Membership.grade, Membership.class_name)).all()
    opt_outs = db.session.scalars(
        select(School.name_ko).join(SchoolOptOut, SchoolOptOut.school_id == School.id)
        .where(SchoolOptOut.contact_id == contact.id)).all()
    received = db.session.execute(
        select(Delivery, Alert).join(Alert, Alert.id == Delivery.alert_id)
        .where(Delivery.contact_id == contact.id)
        .order_by(Delivery.id.desc()).limit(ALERTS_SHOWN)).all()
    shown = {
        "phone": (contact.phone if revealed else mask_phone(contact.phone)) if contact.phone else None,
        "email": (contact.email if revealed else mask_email(contact.email)) if contact.email else None,
    }
    return render_template("directory/person.html", user=user, contact=contact, memberships=memberships,
                           opt_outs=opt_outs, received=received, shown=shown, revealed=revealed,
                           office_admin=user.role is UserRole.OFFICE, in_drill_group=in_group(contact.id))


@person.get("/<int:contact_id>")
@login_required
def show(contact_id: int):
    """The person's page, phone and email masked; the view is recorded."""
    user = current_user()
    contact = person_for(user, contact_id)
    record(user.office_id, user.email, DataAction.VIEW, _subject(contact), contact_id=contact.id)
    db.session.commit()
    return _page(user, contact, revealed=False)


@person.post("/<int:contact_id>/reveal")
@login_required
def reveal(contact_id: int):
    """The same page with the phone and email shown in full, after a deliberate press; recorded."""
    user = current_user()
    contact = person_for(user, contact_id)
    record(user.office_id, user.email, DataAction.REVEAL, _subject(contact), contact_id=contact.id)
    db.session.commit()
    response = _page(user, contact, revealed=True)
    return response, 200, {"Cache-Control": "no-store"}


@person.post("/<int:contact_id>/drill-group")
@login_required
def drill_group(contact_id: int):
    """Add the person to the office's drill group, or take them out (office administrators)."""
    user, contact = _office_admin(contact_id)
    if request.form.get("member") == "yes":
        designate(user.office_id, contact, actor=user.email)
        flash(_("They will receive the office's drills."))
    else:
        release(user.office_id, contact.id)
        flash(_("They will no longer receive the office's drills."))
    db.session.commit()
    return redirect(url_for("person.show", contact_id=contact.id))


def _office_admin(contact_id: int) -> tuple[User, Contact]:
    user = current_user()
    contact = person_for(user, contact_id)
    if user.role is not UserRole.OFFICE:
        abort(404)  # a data subject's request is the office's to answer
    return user, contact


def person_data(contact: Contact) -> dict:
    """Everything held about a person, for their request to see it (개인정보 열람)."""
    memberships = db.session.execute(select(Membership, School).join(School).where(
        Membership.contact_id == contact.id)).all()
    deliveries = db.session.execute(select(Delivery, Alert).join(Alert, Alert.id == Delivery.alert_id)
                                    .where(Delivery.contact_id == contact.id).order_by(Delivery.id)).all()
    acknowledgements = db.session.scalars(select(Acknowledgement).where(
        Acknowledgement.contact_id == contact.id)).all()
    opt_outs = db.session.scalars(select(School.code).join(SchoolOptOut, SchoolOptOut.school_id == School.id)
                                  .where(SchoolOptOut.contact_id == contact.id)).all()
    return {
        "exported_at": utcnow().isoformat(),
        "person": {"name": contact.name, "phone": contact.phone, "email": contact.email,
                   "language": str(contact.language.value), "sms_consent": contact.sms_consent,
                   "email_consent": contact.email_consent, "preferred_channel": contact.preferred_channel,
                   "sms_blocked_reason": contact.sms_blocked_reason,
                   "email_blocked_reason": contact.email_blocked_reason,
                   "created_at": contact.created_at.isoformat() if contact.created_at else None},
        "memberships": [{"school_code": school.code, "school": school.name_ko, "role": m.role.value,
                         "grade": m.grade or None, "class": m.class_name or None}
                        for m, school in memberships],
        "routine_opt_outs": list(opt_outs),
        "messages": [{"alert_id": alert.id, "title": alert.text(contact.language.value)[0],
                      "channel": d.channel.value, "status": d.status.value,
                      "sent_at": d.sent_at.isoformat() if d.sent_at else None} for d, alert in deliveries],
        "acknowledgements": [{"alert_id": a.alert_id, "kind": a.kind.value, "at": a.at.isoformat()}
                             for a in acknowledgements],
    }


@person.post("/<int:contact_id>/export")
@login_required
def export(contact_id: int):
    """The person's data as a JSON file (their request to see what is held); recorded."""
    user, contact = _office_admin(contact_id)
    data = person_data(contact)
    record(user.office_id, user.email, DataAction.EXPORT, _subject(contact), contact_id=contact.id)
    db.session.commit()
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=person-{contact.id}.json",
                             "Cache-Control": "no-store"})


@person.post("/<int:contact_id>/delete")
@login_required
def delete(contact_id: int):
    """Erase the person on request: details, memberships and choices go; their deliveries stay as
    counts with nothing leading back to them; recorded."""
    user, contact = _office_admin(contact_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that this person asked to be deleted."), "error")
        return redirect(url_for("person.show", contact_id=contact.id))
    deliveries = db.session.scalar(select(func.count()).select_from(Delivery)
                                   .where(Delivery.contact_id == contact.id)) or 0
    erase_contacts([contact.id])
    record(user.office_id, user.email, DataAction.DELETE, f"person #{contact_id}", contact_id=contact_id,
           deliveries_kept_as_counts=deliveries)
    db.session.commit()
    flash(_("The person was deleted. %(count)s messages stay in the alerts' counts, without their "
            "details.", count=deliveries), "done")
    return redirect(url_for("directory.find_people"))
