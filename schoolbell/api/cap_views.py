"""CAP 1.2 over the API: an alert as CAP, a CAP message imported as a draft, each office's Atom feed."""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from sqlalchemy import select

from schoolbell.alerts.audience import restrict
from schoolbell.alerts.cap import CapError, build_cap, host_of, import_cap
from schoolbell.alerts.models import Alert
from schoolbell.alerts.public_feed import atom_feed, is_public
from schoolbell.alerts.services import AlertError
from schoolbell.api.alert_io import alert_out, office_alert
from schoolbell.api.alerts import actor, key_mode
from schoolbell.api.auth import current_key
from schoolbell.api.framework import api_blueprint, current_office_id
from schoolbell.api.problems import ApiProblem
from schoolbell.api.schemas import AlertOut
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db

CAP_TYPE = "application/cap+xml"
ATOM_TYPE = "application/atom+xml"

blp = api_blueprint("api_cap", __name__, "/api/v1/alerts", "CAP 1.2 messages of alerts")
feed_blp = api_blueprint("api_feed", __name__, "/api/v1/offices", "Each office's public alerts (no key)",
                         public=True)

_XML_RESPONSE = {"description": "A CAP 1.2 message", "content": {CAP_TYPE: {"schema": {"type": "string"}}}}
_ATOM_RESPONSE = {"description": "An Atom feed", "content": {ATOM_TYPE: {"schema": {"type": "string"}}}}


def _cap(alert: Alert) -> Response:
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    body = build_cap(alert, host_of(base), alert_url=None)
    return Response(body, mimetype=CAP_TYPE)


@blp.route("/<int:alert_id>.cap")
@blp.doc(responses={"200": _XML_RESPONSE})
def alert_cap(alert_id: int):
    """The alert's latest CAP 1.2 message: Alert, then Update (edited, rescheduled) or Cancel, each
    referencing the earlier ones."""
    return _cap(office_alert(alert_id))


@blp.route("/import-cap", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {
    CAP_TYPE: {"schema": {"type": "string"}}, "application/xml": {"schema": {"type": "string"}}}})
@blp.response(201, AlertOut)
def import_cap_message():
    """Import a CAP 1.2 message from another system as a draft alert (choose its target before sending)."""
    office = db.session.get(EducationOffice, current_office_id())
    try:
        alert = import_cap(office, request.get_data(cache=True), actor())
    except (CapError, AlertError) as error:
        db.session.rollback()
        raise ApiProblem(422, str(error), [{"field": "body", "message": str(error)}]) from error
    restrict(alert.id, key_mode(), current_key().id)
    db.session.commit()
    return alert_out(alert), 201, {"Location": f"/api/v1/alerts/{alert.id}"}


def _office(code: str) -> EducationOffice:
    office = db.session.scalar(select(EducationOffice).where(EducationOffice.code == code[:8]))
    if office is None:
        raise ApiProblem(404, f"there is no office {code[:20]!r}")
    return office


@feed_blp.route("/<string:code>/alerts.atom")
@feed_blp.doc(security=[], responses={"200": _ATOM_RESPONSE})
def office_feed(code: str):
    """The office's public alerts as Atom, each linking to its CAP message; no key needed."""
    office = _office(code)
    body = atom_feed(office, request.base_url,
                     lambda alert: url_for("api_feed.public_cap", code=office.code, alert_id=alert.id,
                                           _external=True))
    return Response(body, mimetype=ATOM_TYPE)


@feed_blp.route("/<string:code>/alerts/<int:alert_id>.cap")
@feed_blp.doc(security=[], responses={"200": _XML_RESPONSE})
def public_cap(code: str, alert_id: int):
    """A public alert's CAP message; no key needed (alerts not in the feed are a 404)."""
    office = _office(code)
    alert = db.session.scalar(select(Alert).where(Alert.id == alert_id, Alert.office_id == office.id))
    if alert is None or not is_public(alert):
        raise ApiProblem(404, f"office {office.code} has no public alert {alert_id}")
    return _cap(alert)
