"""/api/v1/people: bulk upsert with per-item errors, get (masked), delete on request (audited)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from schoolbell.alerts.models import Delivery
from schoolbell.api.alerts import actor
from schoolbell.api.auth import is_test
from schoolbell.api.framework import api_blueprint, current_office_id
from schoolbell.api.problems import ApiProblem
from schoolbell.api.schemas import Envelope, Strict, text
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.directory.audit import DataAction, record
from schoolbell.directory.contact_records import upsert_records
from schoolbell.directory.erasure import erase_contacts
from schoolbell.directory.models import Contact, Membership, School
from schoolbell.extensions import db

MAX_BULK = 500

blp = api_blueprint("api_people", __name__, "/api/v1/people", "People of the office's schools")


class PersonIn(Strict):
    """One person's role at one school, as in a contacts file (a parent of two schools is two items)."""

    school_code = text(10, required=True)
    role = text(20, required=True, metadata={"description": "guardian, teacher, student, staff (or Korean)"})
    grade = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=12))
    class_name = text(10, data_key="class", load_default="")
    name = text(100, required=True)
    phone = text(40, load_default="")
    email = text(254, load_default="")
    language = text(5, load_default="")
    consent = text(20, load_default="", metadata={"description": "sms+email (default), sms, email, none"})


class BulkIn(Strict):
    """Up to 500 people."""

    people = fields.List(fields.Nested(PersonIn), required=True,
                         validate=validate.Length(min=1, max=MAX_BULK))


class ItemResult(Schema):
    """What happened to one item: accepted or rejected, with the fields at fault."""

    index = fields.Integer(required=True, metadata={"description": "0-based position in `people`"})
    status = fields.String(required=True, validate=validate.OneOf(["accepted", "rejected"]))
    errors = fields.List(fields.Dict(), required=True)
    warnings = fields.List(fields.Dict(), required=True)


class BulkOut(Envelope):
    """Per-item results and counts (imported, updated, unchanged, rejected)."""

    results = fields.List(fields.Nested(ItemResult), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    written = fields.Boolean(required=True, metadata={"description": "false with a test key: nothing stored"})


class MembershipOut(Schema):
    """A role at a school."""

    school_code = fields.String(required=True)
    role = fields.String(required=True)
    grade = fields.Integer(required=True)
    class_name = fields.String(required=True, data_key="class")


class PersonOut(Envelope):
    """A person, phone and email masked."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    language = fields.String(required=True)
    sms_consent = fields.Boolean(required=True)
    email_consent = fields.Boolean(required=True)
    memberships = fields.List(fields.Nested(MembershipOut), required=True)


class DeletedOut(Envelope):
    """The outcome of a deletion."""

    id = fields.Integer(required=True)
    deleted = fields.Boolean(required=True)
    deliveries_kept_as_counts = fields.Integer(required=True)
    message = fields.String(required=True)


def _problem(problem) -> dict:
    return {"field": f"body.people.{problem.line - 1}.{problem.field}", "message": problem.reason,
            "value": problem.shown_value}


@blp.route("/bulk", methods=["POST"])
@blp.arguments(BulkIn)
@blp.response(200, BulkOut)
def bulk_upsert(data):
    """Add or update people (found by phone, then email, within the office); each item is accepted or
    rejected on its own, with its fields named. A test key checks everything and stores nothing."""
    records = [{**item, "class": item["class_name"],
                "grade": "" if item.get("grade") in (None, 0) else item["grade"]} for item in data["people"]]
    summary = upsert_records(current_office_id(), records, source="api")
    rejected = {problem.line: problem for problem in summary.problems}
    warned: dict[int, list] = {}
    for warning in summary.warnings:
        warned.setdefault(warning.line, []).append(_problem(warning))
    results = [{"index": line - 1, "status": "rejected" if line in rejected else "accepted",
                "errors": [_problem(rejected[line])] if line in rejected else [],
                "warnings": warned.get(line, [])} for line in range(1, len(records) + 1)]
    written = not is_test()
    if written:
        record(current_office_id(), actor(), DataAction.IMPORT, f"API bulk of {len(records)}",
               accepted=len(records) - len(rejected), rejected=len(rejected))
        db.session.commit()
    else:
        db.session.rollback()
    return {"results": results, "counts": dict(summary.outcomes), "written": written}


def _person(contact_id: int) -> Contact:
    contact = db.session.scalar(select(Contact).where(Contact.id == contact_id,
                                                      Contact.office_id == current_office_id()))
    if contact is None:
        raise ApiProblem(404, f"your office has no person {contact_id}")
    return contact


@blp.route("/<int:contact_id>")
@blp.response(200, PersonOut)
def get_person(contact_id: int):
    """One person with their roles; phone and email masked; the view is in the personal-data log."""
    contact = _person(contact_id)
    memberships = db.session.execute(
        select(School.code, Membership.role, Membership.grade, Membership.class_name)
        .join(School, School.id == Membership.school_id).where(Membership.contact_id == contact.id)
        .order_by(School.code)).all()
    record(contact.office_id, actor(), DataAction.VIEW, f"person #{contact.id}", contact_id=contact.id)
    db.session.commit()
    return {"id": contact.id, "name": contact.name,
            "phone": mask_phone(contact.phone) if contact.phone else None,
            "email": mask_email(contact.email) if contact.email else None,
            "language": str(contact.language), "sms_consent": contact.sms_consent,
            "email_consent": contact.email_consent,
            "memberships": [{"school_code": code, "role": str(role), "grade": grade, "class_name": class_name}
                            for code, role, grade, class_name in memberships]}


@blp.route("/<int:contact_id>", methods=["DELETE"])
@blp.response(200, DeletedOut)
def delete_person(contact_id: int):
    """Erase a person on their request: details, roles and choices go; their messages stay in the
    alerts' counts with nothing leading back to them; recorded in the personal-data log."""
    contact = _person(contact_id)
    deliveries = db.session.scalar(select(func.count()).select_from(Delivery)
                                   .where(Delivery.contact_id == contact.id)) or 0
    if is_test():
        return {"id": contact_id, "deleted": False, "deliveries_kept_as_counts": deliveries,
                "message": "test key: nothing was deleted"}
    erase_contacts([contact.id])
    record(current_office_id(), actor(), DataAction.DELETE, f"person #{contact_id}", contact_id=contact_id,
           deliveries_kept_as_counts=deliveries)
    db.session.commit()
    return {"id": contact_id, "deleted": True, "deliveries_kept_as_counts": deliveries,
            "message": f"deleted; {deliveries} messages stay in the alerts' counts without their details"}
