"""Per-school counts of a send: each person once under every targeted school they belong to."""

from __future__ import annotations

from schoolbell.alerts.reports import school_counts
from schoolbell.alerts.services import send_alert
from tests import factories


def test_a_person_counts_once_per_targeted_school_however_many_children_link_them(app):
    first, second, untargeted = (factories.school(code) for code in ("7000101", "7000102", "7000103"))
    factories.person((first, "guardian", 1, "1"), (first, "guardian", 3, "2"), email=None)  # two children
    factories.person((first, "guardian", 2, "1"), (second, "guardian", 4, "1"))  # SMS and email
    factories.person((untargeted, "guardian", 5, "1"), (first, "guardian", 6, "1"), email=None)
    factories.person((first, "teacher", 0, ""), email=None)  # not a guardian: not sent to
    alert = factories.alert("routine", {"roles": ["guardian"], "school_ids": [first.id, second.id]})
    send_alert(alert, "test")
    counts = {row["school_code"]: row["by_status"] for row in school_counts(alert)}
    assert counts == {"7000101": {"pending": 4}, "7000102": {"pending": 2}}
