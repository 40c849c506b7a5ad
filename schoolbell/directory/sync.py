"""A sync import: the file is the whole roster of each school (or class) it names, so people there
who are not in it leave — and people left with no membership at all are removed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, tuple_

from schoolbell.directory.erasure import erase_contacts, orphans
from schoolbell.directory.models import Membership
from schoolbell.extensions import db

SCOPES = ("school", "class")
BATCH = 500


@dataclass
class SyncOutcome:
    """What a sync did (or, in a preview, would do)."""

    scope: str
    rosters: int  # schools or classes the file replaced
    new: int  # rows that added a person or a membership
    changed: int  # rows that changed a person's details
    leave: int  # people no longer in those schools or classes at all
    memberships_removed: int  # also those of people who only changed class or role there
    people_removed: int  # of those, people left with no membership, removed from the directory
    refused: str = ""  # why nobody was made to leave, when that was held back

    def as_dict(self) -> dict:
        """For --json and the page."""
        return dict(self.__dict__)

    def human(self) -> str:
        """One line: '312 new, 27 changed, 41 leave'."""
        plural = "" if self.rosters == 1 else "es" if self.scope == "class" else "s"
        line = (f"sync of {self.rosters:,} {self.scope}{plural}: "
                f"{self.new:,} new, {self.changed:,} changed, {self.leave:,} leave "
                f"({self.people_removed:,} removed from the directory)")
        return line + (f"; nobody was made to leave: {self.refused}" if self.refused else "")


class Sync:
    """Collects what the file keeps, then removes what it no longer names."""

    def __init__(self, scope: str):
        if scope not in SCOPES:
            raise ValueError(f"sync scope must be one of {', '.join(SCOPES)}, got {scope!r}")
        self.scope = scope
        self.kept: set[tuple] = set()
        self.rosters: set[tuple] = set()
        self.staying: set[tuple] = set()  # (roster, contact_id): still in that roster, maybe elsewhere

    def keep(self, memberships) -> None:
        """Memberships (contact_id, school_id, role, grade, class_name) the file names."""
        for key in memberships:
            roster = self._roster(key[1], key[3], key[4])
            self.kept.add(key)
            self.rosters.add(roster)
            self.staying.add((roster, key[0]))

    def _roster(self, school_id: int, grade: int, class_name: str) -> tuple:
        return (school_id,) if self.scope == "school" else (school_id, grade, class_name)

    def apply(self, summary) -> SyncOutcome:
        """Remove the memberships the file no longer names, then people with none left."""
        outcome = SyncOutcome(self.scope, len(self.rosters), summary.outcomes.get("imported", 0),
                              summary.outcomes.get("updated", 0), 0, 0, 0)
        if summary.problems:
            # A rejected row may be someone who stays: making them leave would lose them.
            outcome.refused = (f"{len(summary.problems):,} rows were rejected; fix them and import "
                               "the file again to complete the sync")
            return outcome
        leaving = self._leaving()
        outcome.leave = len({contact_id for _id, contact_id, gone in leaving if gone})
        outcome.memberships_removed = len(leaving)
        ids = [membership_id for membership_id, _contact, _gone in leaving]
        for start in range(0, len(ids), BATCH):
            db.session.execute(delete(Membership).where(Membership.id.in_(ids[start:start + BATCH])))
        outcome.people_removed = erase_contacts(orphans({contact_id for _id, contact_id, _gone in leaving}))
        return outcome

    def _leaving(self) -> list[tuple[int, int, bool]]:
        """(membership id, contact id, whether the person leaves the roster altogether) of the
        memberships in the file's rosters that it does not name."""
        columns = (Membership.id, Membership.contact_id, Membership.school_id, Membership.role,
                   Membership.grade, Membership.class_name)
        rosters = list(self.rosters)
        leaving = []
        for start in range(0, len(rosters), BATCH):
            part = rosters[start:start + BATCH]
            if self.scope == "school":
                where = Membership.school_id.in_([roster[0] for roster in part])
            else:
                where = tuple_(Membership.school_id, Membership.grade, Membership.class_name).in_(part)
            for membership_id, contact_id, school_id, role, grade, class_name in db.session.execute(
                    select(*columns).where(where)):
                key = (contact_id, school_id, str(getattr(role, "value", role)), grade, class_name)
                if key not in self.kept:
                    roster = self._roster(school_id, grade, class_name)
                    leaving.append((membership_id, contact_id, (roster, contact_id) not in self.staying))
        return leaving
