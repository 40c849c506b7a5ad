"""The failures CSV: what a school needs to fix a contact, and nothing Excel would run as a formula."""

from __future__ import annotations

import csv
import io

from schoolbell.alerts.reports import FAILURE_COLUMNS, failures_csv
from schoolbell.alerts.services import send_alert
from schoolbell.channels.errors import PermanentError
from tests import factories


def test_failures_name_the_class_and_role_and_defuse_formulas(dispatcher, backends, app):
    school = factories.school("7000001", name='=HYPERLINK("http://evil.example","학교")')
    parent = factories.person((school, "guardian", 2, "3"), email=None)
    backends.sms.fail_for[parent.phone] = PermanentError("-1+1 @carrier: unknown subscriber", 21614)
    alert = factories.alert("routine", {"roles": ["guardian"]})
    send_alert(alert, "test")
    dispatcher.run(until_idle=True)
    [header, row] = list(csv.reader(io.StringIO(failures_csv(alert))))
    assert tuple(header) == FAILURE_COLUMNS
    cells = dict(zip(header, row, strict=True))
    assert cells["school"] == "'" + '=HYPERLINK("http://evil.example","학교")'
    assert cells["reason"] == "'-1+1 @carrier: unknown subscriber"
    assert (cells["grade"], cells["class"], cells["role"], cells["code"]) == ("2", "3", "guardian", "21614")
    assert parent.phone not in cells["address"] and "****" in cells["address"]
