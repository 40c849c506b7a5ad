"""Alert templates: keep an office's standard wording and audience, and start new alerts from them."""

from __future__ import annotations

from sqlalchemy import select

from schoolbell.alerts.models import Alert, AlertClass
from schoolbell.alerts.services import AlertDraft, AlertError
from schoolbell.alerts.targeting import Target
from schoolbell.alerts.template_models import AlertTemplate
from schoolbell.extensions import db

TEXT_FIELDS = ("title_ko", "body_ko", "title_en", "body_en")


def save_template(office_id: int, name: str, draft: AlertDraft, actor: str) -> AlertTemplate:
    """Keep the draft under a name; a template of that name in the office is replaced."""
    name = name.strip()
    if not name:
        raise AlertError("a template needs a name")
    if len(name) > 100:
        raise AlertError(f"template name: at most 100 characters, got {len(name)}")
    if draft.alert_class not in (AlertClass.EMERGENCY, AlertClass.URGENT, AlertClass.ROUTINE):
        raise AlertError(f"class {draft.alert_class!r}: a template is an emergency, urgent or routine alert")
    target = Target.from_dict(draft.target)
    template = db.session.scalar(select(AlertTemplate).where(AlertTemplate.office_id == office_id,
                                                             AlertTemplate.name == name))
    if template is None:
        template = AlertTemplate(office_id=office_id, name=name)
        db.session.add(template)
    template.alert_class = AlertClass(draft.alert_class)
    for text_field in TEXT_FIELDS:
        setattr(template, text_field, getattr(draft, text_field) or None)
    template.link_url, template.lesson_slug = draft.link_url or None, draft.lesson_slug or None
    template.target, template.created_by = target.as_dict(), actor
    db.session.flush()
    return template


def draft_of_alert(alert: Alert) -> AlertDraft:
    """Everything an alert says and whom it targets, as a draft (to keep it as a template)."""
    return AlertDraft(alert_class=alert.alert_class.value, link_url=alert.link_url or "",
                      lesson_slug=alert.lesson_slug or "", target=dict(alert.target or {}),
                      **{name: getattr(alert, name) or "" for name in TEXT_FIELDS})


def office_templates(office_id: int) -> list[AlertTemplate]:
    """The office's templates by name."""
    return list(db.session.scalars(select(AlertTemplate).where(AlertTemplate.office_id == office_id)
                                   .order_by(AlertTemplate.name)))


def office_template(office_id: int, template_id: int) -> AlertTemplate | None:
    """One of the office's templates, or None."""
    template = db.session.get(AlertTemplate, template_id)
    return template if template is not None and template.office_id == office_id else None


def delete_template(template: AlertTemplate) -> None:
    """Remove a template (alerts started from it are not touched)."""
    db.session.delete(template)
