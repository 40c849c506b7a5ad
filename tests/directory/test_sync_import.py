"""A sync import keeps a school's (or class's) roster true: who is not in the new file leaves."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from schoolbell.alerts.models import Delivery, DeliveryStatus
from schoolbell.alerts.services import send_alert
from schoolbell.directory.audit import PersonalDataEvent
from schoolbell.directory.contact_import import import_contacts
from schoolbell.directory.models import Contact, Membership
from schoolbell.extensions import db
from tests import factories

HEADER = ["school_code", "role", "grade", "class", "name", "phone", "email"]


def write(path: Path, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def roster(app, tmp_path):
    """Two schools; the first has three families in 1-1 and one in 1-2, one of whom also has a
    child at the second school."""
    first, second = factories.school("7000001"), factories.school("7000002")
    rows = [["7000001", "guardian", "1", "1", "가족A", "010-2000-0001", ""],
            ["7000001", "guardian", "1", "1", "가족B", "010-2000-0002", ""],
            ["7000001", "guardian", "1", "1", "가족C", "010-2000-0003", ""],
            ["7000001", "guardian", "1", "2", "가족D", "010-2000-0004", ""],
            ["7000002", "guardian", "2", "1", "가족C", "010-2000-0003", ""]]
    import_contacts(write(tmp_path / "before.csv", rows))
    return {"first": first, "second": second, "rows": rows}


def people() -> set[str]:
    return set(db.session.scalars(select(Contact.name)))


def memberships_of(name: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).join(Contact)
                             .where(Contact.name == name))


def test_a_school_sync_makes_the_missing_leave_and_removes_who_has_no_school_left(roster, tmp_path):
    new_year = [["7000001", "guardian", "2", "1", "가족A", "010-2000-0001", ""],  # moved up a grade
                ["7000001", "guardian", "1", "1", "가족E", "010-2000-0005", ""]]  # new family
    preview = import_contacts(write(tmp_path / "new.csv", new_year), sync="school", dry_run=True)
    # A only changed class: not one who leaves, though their old membership goes.
    assert (preview.sync.new, preview.sync.leave, preview.sync.people_removed) == (2, 3, 2)
    assert preview.sync.memberships_removed == 4
    assert people() == {"가족A", "가족B", "가족C", "가족D"}  # a preview writes nothing

    done = import_contacts(tmp_path / "new.csv", sync="school")
    assert done.sync.as_dict() == preview.sync.as_dict()
    # B and D had only this school: gone. C keeps the second school. A is now in 2-1 only.
    assert people() == {"가족A", "가족C", "가족E"}
    assert memberships_of("가족C") == 1 and memberships_of("가족A") == 1


def test_a_class_sync_touches_only_the_classes_in_the_file(roster, tmp_path):
    only_1_1 = [["7000001", "guardian", "1", "1", "가족A", "010-2000-0001", ""]]
    summary = import_contacts(write(tmp_path / "class.csv", only_1_1), sync="class")
    assert (summary.sync.rosters, summary.sync.leave, summary.sync.people_removed) == (1, 2, 1)
    assert people() == {"가족A", "가족C", "가족D"}  # D's class 1-2 was not in the file


def test_an_additive_import_still_only_adds(roster, tmp_path):
    import_contacts(write(tmp_path / "one.csv", roster["rows"][:1]))
    assert people() == {"가족A", "가족B", "가족C", "가족D"}


def test_a_sync_with_rejected_rows_makes_nobody_leave(roster, tmp_path):
    rows = [["7000001", "guardian", "1", "1", "가족A", "010-2000-0001", ""],
            ["7000001", "guardian", "1", "1", "가족B", "02-123", ""]]  # a typo, not a departure
    summary = import_contacts(write(tmp_path / "typo.csv", rows), sync="school")
    assert summary.sync.leave == 0 and "1 rows were rejected" in summary.sync.refused
    assert people() == {"가족A", "가족B", "가족C", "가족D"}


def test_a_removed_persons_deliveries_stay_as_counts_without_them(roster, tmp_path):
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "office")
    before = db.session.scalar(select(func.count()).select_from(Delivery))
    gone = db.session.scalar(select(Contact.id).where(Contact.name == "가족B"))
    import_contacts(write(tmp_path / "new.csv", [r for r in roster["rows"] if r[4] != "가족B"]),
                    sync="school")
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == before
    assert db.session.scalar(select(func.count()).select_from(Delivery)
                             .where(Delivery.contact_id == gone)) == 0
    orphaned = db.session.scalars(select(Delivery).where(Delivery.contact_id < 0)).all()
    assert len(orphaned) == 1 and orphaned[0].status is DeliveryStatus.CANCELLED


def test_the_cli_previews_asks_and_applies_with_counts(roster, runner, tmp_path):
    path = write(tmp_path / "new.csv", [["7000001", "guardian", "1", "1", "가족A", "010-2000-0001", ""]])
    refused = runner.invoke(args=["contacts", "import", str(path), "--sync", "school"], input="n\n")
    assert refused.exit_code == 1 and "1 unchanged" not in refused.output
    assert "0 new, 0 changed, 3 leave (2 removed from the directory)" in refused.output
    assert people() == {"가족A", "가족B", "가족C", "가족D"}
    applied = runner.invoke(args=["contacts", "import", str(path), "--sync", "school", "--yes", "--json"])
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.output)["sync"]["leave"] == 3
    assert people() == {"가족A", "가족C"}
    events = db.session.scalars(select(PersonalDataEvent).order_by(PersonalDataEvent.id)).all()
    assert [(e.action, e.actor.split(":")[0], e.subject) for e in events] == [
        ("import", "cli", "new.csv"), ("sync_remove", "cli", "new.csv")]
    assert events[0].detail["left"] == 3 and events[1].detail["people"] == 2


def test_a_blank_consent_or_language_keeps_what_the_person_chose(roster, tmp_path):
    with open(tmp_path / "choice.csv", "w", encoding="utf-8", newline="") as handle:
        handle.write("school_code,role,grade,class,name,phone,language,consent\n"
                     "7000001,guardian,1,1,가족A,010-2000-0001,en,email\n")
    import_contacts(tmp_path / "choice.csv")
    again = import_contacts(write(tmp_path / "again.csv", roster["rows"]), sync="school")
    person = db.session.scalar(select(Contact).where(Contact.name == "가족A"))
    assert (person.language.value, person.sms_consent, person.email_consent) == ("en", False, True)
    assert again.outcomes["updated"] == 0
