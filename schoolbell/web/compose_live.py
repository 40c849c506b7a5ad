"""What the compose page asks while the author types: schools matching a search, the SMS as it will go."""

from __future__ import annotations

from flask import jsonify, render_template, request

from schoolbell.accounts.auth import login_required
from schoolbell.alerts.sms_limits import check_draft
from schoolbell.web.compose_base import compose, office_user
from schoolbell.web.school_picker import search_schools

MAX_TEXT = 10_000  # a body longer than this is refused by the form anyway; no need to analyse it


@compose.get("/schools")
@login_required
def find_schools():
    """The picker's results as an HTML fragment (the page without JavaScript gets them in the form)."""
    user = office_user()
    district = request.args.get("school_district", "")
    results = search_schools(user.office_id, request.args.get("school_q", "")[:100],
                             int(district) if district.isdigit() and len(district) < 10 else None,
                             request.args.get("school_level", "")[:20], request.args.getlist("role"))
    return render_template("console/_compose_school_results.html", results=results)


@compose.post("/sms-check")
@login_required
def sms_check():
    """Counters for one language's SMS being written: characters, encoding, segments, CP949 bytes,
    characters Korean routes lose (with a stand-in), and whether it may be sent."""
    user = office_user()
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    language = data.get("language") if data.get("language") in ("ko", "en") else "ko"
    title, body = str(data.get("title") or "")[:MAX_TEXT], str(data.get("body") or "")[:MAX_TEXT]
    check = check_draft(user.office, str(data.get("alert_class") or "routine"), title, body, language)
    return jsonify(check.as_dict())
