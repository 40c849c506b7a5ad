"""Failed messages an office can act on: a page and a CSV in the reader's language, with what to fix."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template
from flask_babel import gettext as _

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import UserRole
from schoolbell.alerts.reports import failure_rows
from schoolbell.csv_safety import safe_row
from schoolbell.web.console import alert_for, console
from schoolbell.web.failure_reasons import failure_words
from schoolbell.web.vocabulary import label

PAGE_ROWS = 500


def _office_alert(alert_id: int):
    user = current_user()
    alert = alert_for(user, alert_id)
    if user.role is not UserRole.OFFICE:
        abort(404)
    return alert


@console.get("/alerts/<int:alert_id>/failures")
@login_required
def failures_page(alert_id: int):
    """The failed messages, school by school and class by class, with the reason and what to do."""
    alert = _office_alert(alert_id)
    rows = failure_rows(alert, limit=PAGE_ROWS + 1)
    return render_template("console/failures.html", alert=alert, rows=rows[:PAGE_ROWS],
                           more=len(rows) > PAGE_ROWS)


@console.get("/alerts/<int:alert_id>/failures.csv")
@login_required
def failures(alert_id: int):
    """The failed messages as CSV for Excel (UTF-8, BOM), headings and reasons in the reader's language."""
    alert = _office_alert(alert_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("School"), _("School code"), _("Grade"), _("Class"), _("Role"), _("Channel"),
                     _("Masked contact"), _("Status"), _("What to do"), _("Provider code"),
                     _("Provider's words")])
    # Names and providers' texts come from outside: a cell Excel would run as a formula is defused.
    for row in failure_rows(alert):
        writer.writerow(safe_row([row["school"], row["school_code"], row["grade"] or "", row["class"],
                                  label(row["role"]), label(row["channel"]), row["address"],
                                  label(row["status"]), failure_words(row["code"], row["reason"]),
                                  row["code"], row["reason"]]))
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=alert-{alert.id}-failures.csv"})
