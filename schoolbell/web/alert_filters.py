"""The dashboard's search and filters, as a form read from the query string."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from schoolbell.alerts.listing import AlertFilter
from schoolbell.alerts.models import AlertClass, AlertStatus
from schoolbell.web.vocabulary import label


def _choices(values) -> list[tuple[str, str]]:
    return [("", str(_l("All")))] + [(value.value, label(value)) for value in values]


class AlertFilterForm(FlaskForm):
    """Search text, alert class, status and a range of days; a bad value is named, never a 500."""

    class Meta:
        csrf = False  # a GET that changes nothing

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])
    alert_class = SelectField(_l("Kind of alert"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    # Text, not IntegerField: NumberRange compares through float(), which a 400-digit number overflows.
    page = StringField(validators=[Optional(), Regexp(r"^[0-9]{1,6}$")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alert_class.choices = _choices(AlertClass)
        self.status.choices = _choices(AlertStatus)

    def page_number(self) -> int:
        """The page asked for (1 when missing or not a page number)."""
        digits = (self.page.data or "").strip()
        return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 6 else 1

    def wanted(self) -> AlertFilter:
        """The filter to apply: fields that did not validate are left out (their errors are shown)."""
        def good(field):
            return field.data if not field.errors and field.data not in (None, "") else None
        alert_class, status = good(self.alert_class), good(self.status)
        return AlertFilter(text=good(self.q) or "",
                           alert_class=AlertClass(alert_class) if alert_class else None,
                           status=AlertStatus(status) if status else None,
                           since=good(self.since), until=good(self.until))
