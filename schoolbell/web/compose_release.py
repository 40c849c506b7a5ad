"""What the alert page shows before sending: the messages as received, test send, approval, send limits."""

from __future__ import annotations

from schoolbell.accounts.auth import current_user
from schoolbell.alerts.approvals import approval_state
from schoolbell.alerts.models import Alert
from schoolbell.alerts.sms_limits import check_alert, worst
from schoolbell.channels.masking import mask_phone
from schoolbell.web.compose_base import compose
from schoolbell.web.message_preview import email_preview


@compose.app_template_global("release_context")
def release_context(alert: Alert) -> dict:
    """For the alert page's "before sending" panel: SMS checks, previews, approval and the test send."""
    checks = check_alert(alert)
    user = current_user()
    state = approval_state(alert)
    return {"checks": {check.language: check for check in checks}, "level": worst(checks),
            "approval": state, "may_approve": state.may_approve(user.email),
            "is_author": state.author == user.email,
            "emails": {language: email_preview(alert, language) for language in ("ko", "en")},
            "own_phone": mask_phone(user.phone) if user.phone else None}
