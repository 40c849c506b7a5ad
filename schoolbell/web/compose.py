"""Office staff compose and edit alerts: a WTForms form with a school picker and live SMS counters."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from schoolbell.accounts.auth import login_required
from schoolbell.accounts.models import User
from schoolbell.alerts.drills import as_drill, is_drill, mark_as_drill
from schoolbell.alerts.models import Alert
from schoolbell.alerts.services import NOT_STARTED, AlertError, create_alert, edit_alert
from schoolbell.alerts.sms_limits import REFUSE, check_draft
from schoolbell.alerts.sms_replacements import replace_unsupported
from schoolbell.alerts.targeting import TargetError
from schoolbell.alerts.templates import office_template, office_templates
from schoolbell.extensions import db
from schoolbell.web.compose_base import compose, office_user, own_alert
from schoolbell.web.compose_forms import CLASS_HELP, AlertForm
from schoolbell.web.school_picker import chosen_schools, search_schools

__all__ = ["compose"]


@compose.route("/new", methods=["GET", "POST"])
@login_required
def new_alert():
    """The compose form; a valid one becomes a draft, shown with its preview before anything is sent."""
    user = office_user()
    form = AlertForm(user)
    if request.method == "GET":
        _start_from(user, form)
    elif not _working(form) and _valid(form):
        try:
            draft = as_drill(form.draft()) if form.drill.data else form.draft()
            alert = create_alert(user.office, draft, actor=user.email)
            if form.drill.data:
                mark_as_drill(alert)
            db.session.commit()
            return redirect(url_for("console.alert_detail", alert_id=alert.id))
        except (AlertError, TargetError) as problem:
            db.session.rollback()
            form.form_errors.append(str(problem))
    return compose_page(user, form)


def _start_from(user: User, form: AlertForm) -> None:
    """A new alert is blank (to guardians), or a copy of a template (?template=) or past alert (?from=)."""
    template_id, source_id = _row_id(request.args.get("template")), _row_id(request.args.get("from"))
    if template_id and (template := office_template(user.office_id, template_id)):
        form.fill_from(template)
    elif source_id:
        form.fill_from(own_alert(user, source_id))
        flash(_("A copy of alert #%(id)s: change what you need, then save it as a new draft.", id=source_id),
              "done")
    else:
        form.role.data = ["guardian"]


def _row_id(value: str | None) -> int | None:
    """A row id from the query string, or None (beyond a 32-bit column it names nothing)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _valid(form: AlertForm) -> bool:
    """The form's checks, then the SMS limits: an SMS that cannot be sent is not saved either."""
    good = form.validate()
    for language in ("ko", "en"):
        title, body = getattr(form, f"title_{language}"), getattr(form, f"body_{language}")
        if not (title.data or body.data):
            continue
        check = check_draft(form.user.office, form.alert_class.data or "routine", title.data or "",
                            body.data or "", language)
        if check.level == REFUSE:
            body.errors = [*body.errors, sms_refusal_text(check)]
            good = False
    return good


def sms_refusal_text(check) -> str:
    """Why an SMS cannot be sent, in the reader's language."""
    if check.over_lms:
        return _("This SMS is %(bytes)s bytes on Korean routes: more than one LMS (%(limit)s bytes). "
                 "Shorten it.", bytes=f"{check.cp949_bytes:,}", limit="2,000")
    return _("This SMS is %(segments)s segments: more than the limit of %(cap)s. Shorten it.",
             segments=check.segments, cap=check.cap)


def compose_page(user: User, form: AlertForm, editing: Alert | None = None):
    """The compose page with the picker's results and the schools already chosen."""
    roles = form.role.data or []
    results = None
    if request.method == "POST" and "find_schools" in request.form:  # the picker without JavaScript
        district = form.school_district.data
        results = search_schools(user.office_id, form.school_q.data or "",
                                 int(district) if district and district.isdigit() else None,
                                 form.school_level.data or "", roles)
    chosen = chosen_schools(user.office_id, form.school.data or [], roles)
    failed = request.method == "POST" and not _working(form)
    texts = {language: (getattr(form, f"title_{language}").data or "",
                        getattr(form, f"body_{language}").data or "") for language in ("ko", "en")}
    checks = {language: check_draft(user.office, form.alert_class.data or "routine", *texts[language],
                                    language) for language in texts}
    return render_template("console/compose.html", user=user, form=form, editing=editing, results=results,
                           chosen=chosen, checks=checks,
                           class_help=CLASS_HELP, templates=office_templates(user.office_id)), \
        400 if failed else 200


def _working(form: AlertForm) -> bool:
    """True when the author asked the page for help (find schools, replace characters), not to save."""
    if "replace_unsupported" in request.form:
        for name in ("title_ko", "body_ko", "title_en", "body_en"):
            field = getattr(form, name)
            field.data = replace_unsupported(field.data or "")
        return True
    return "find_schools" in request.form


@compose.route("/<int:alert_id>/edit", methods=["GET", "POST"])
@login_required
def edit(alert_id: int):
    """Change a draft or scheduled alert until it is sent."""
    user = office_user()
    alert = own_alert(user, alert_id)
    if alert.status not in NOT_STARTED:
        flash(_("Only an alert that has not been sent can be edited."), "error")
        return redirect(url_for("console.alert_detail", alert_id=alert.id))
    form = AlertForm(user)
    drill = is_drill(alert.id)  # a drill stays one: its mode only ever gets stricter
    if request.method == "GET":
        form.fill_from(alert)
        form.drill.data = drill
    elif not _working(form) and _valid(form):
        try:
            edit_alert(alert, as_drill(form.draft()) if drill else form.draft(), actor=user.email)
            db.session.commit()
            return redirect(url_for("console.alert_detail", alert_id=alert.id))
        except (AlertError, TargetError) as problem:
            db.session.rollback()
            form.form_errors.append(str(problem))
    return compose_page(user, form, editing=alert)
