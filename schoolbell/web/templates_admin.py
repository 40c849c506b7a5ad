"""Alert templates in the console: save the form or an alert as a template, start from one, delete one."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from schoolbell.accounts.auth import login_required
from schoolbell.alerts.services import AlertError
from schoolbell.alerts.targeting import TargetError
from schoolbell.alerts.templates import delete_template, draft_of_alert, office_template, save_template
from schoolbell.extensions import db
from schoolbell.web.compose import compose_page
from schoolbell.web.compose_base import compose, office_user, own_alert
from schoolbell.web.compose_forms import AlertForm


@compose.post("/templates")
@login_required
def save_form_as_template():
    """Keep what the compose form holds as a named template (nothing is sent or drafted)."""
    user = office_user()
    form = AlertForm(user)
    name = (form.template_name.data or "").strip()
    if not name:
        form.template_name.errors = [_("Give the template a name.")]
    if form.validate() and name:
        try:
            template = save_template(user.office_id, name, form.draft(), user.email)
            db.session.commit()
        except (AlertError, TargetError) as problem:
            db.session.rollback()
            form.form_errors.append(str(problem))
        else:
            flash(_("Template “%(name)s” saved.", name=template.name), "done")
            return redirect(url_for("compose.new_alert", template=template.id))
    return compose_page(user, form)


@compose.post("/<int:alert_id>/save-template")
@login_required
def save_alert_as_template(alert_id: int):
    """Keep an alert's texts and audience as a template, e.g. the office's standard emergency wording."""
    user = office_user()
    alert = own_alert(user, alert_id)
    try:
        template = save_template(user.office_id, request.form.get("template_name", "")[:200],
                                 draft_of_alert(alert), user.email)
        db.session.commit()
    except (AlertError, TargetError) as problem:
        db.session.rollback()
        flash(str(problem), "error")
    else:
        flash(_("Template “%(name)s” saved.", name=template.name), "done")
    return redirect(url_for("console.alert_detail", alert_id=alert.id))


@compose.post("/templates/<int:template_id>/delete")
@login_required
def remove_template(template_id: int):
    """Delete one of the office's templates."""
    user = office_user()
    template = office_template(user.office_id, template_id)
    if template is not None:
        delete_template(template)
        db.session.commit()
        flash(_("Template deleted."), "done")
    return redirect(url_for("compose.new_alert"))
