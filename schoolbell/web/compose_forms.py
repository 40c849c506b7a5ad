"""The compose and edit form as WTForms: typed fields, lengths, web links, errors in the reader's language."""

from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from schoolbell.accounts.models import User
from schoolbell.alerts.links import is_web_link
from schoolbell.alerts.models import Alert, AlertClass
from schoolbell.alerts.services import AlertDraft
from schoolbell.curriculum.library import get_library
from schoolbell.directory.models import DistrictOffice, Role, School, SchoolLevel
from schoolbell.extensions import db
from schoolbell.web.vocabulary import label

AUTHOR_CLASSES = (AlertClass.EMERGENCY, AlertClass.URGENT, AlertClass.ROUTINE)
CLASS_HELP = {
    "emergency": _l("Every channel, even past routine opt-outs and quiet hours"),
    "urgent": _l("Every channel a person accepts, not in quiet hours"),
    "routine": _l("Each person's preferred channel, not in quiet hours"),
}
GRADES = range(1, 7)
MAX_BODY = 5000  # far above one LMS: the SMS limits name the real problem, this stops a flood
NEIS_CODE = re.compile(r"^[A-Z0-9]{7,10}$")


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (a <ul> of them)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _web_link(form, field) -> None:
    if field.data and not is_web_link(field.data):
        raise ValidationError(_l("Only an address starting with https:// or http:// can be a link."))


def options(pairs) -> list[SelectChoice]:
    """Choices as WTForms wants them: (value, label) pairs made SelectChoice."""
    return [SelectChoice(value, label) for value, label in pairs]


def words(text: str | None) -> list[str]:
    """Codes or names typed in a box: split on commas, spaces and new lines."""
    return [word for word in re.split(r"[\s,]+", text or "") if word]


class AlertForm(FlaskForm):
    """What an author writes: the kind of alert, both languages, a link or lesson, and who receives it."""

    # Choices are checked by the validate_* methods below, which name the value refused.
    alert_class = RadioField(_l("Kind of alert"), default="routine", validate_choice=False)
    title_ko = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    body_ko = TextAreaField(_l("Message"), validators=[Optional(), Length(max=MAX_BODY)])
    title_en = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    body_en = TextAreaField(_l("Message"), validators=[Optional(), Length(max=MAX_BODY)])
    link = URLField(_l("Link (a notice page), optional"),
                    validators=[Optional(), Length(max=500), _web_link])
    lesson = SelectField(_l("Lesson it leads to, optional"), validate_choice=False, validators=[Optional()])
    drill = BooleanField(_l("A drill (exercise): only the office's drill group receives it, labelled "
                            "[훈련]/[Drill] in every message, and it is left out of the office's figures"))
    role = CheckboxesField(_l("Roles"), validators=[Optional()])
    district = CheckboxesField(_l("District offices"), coerce=int, validators=[Optional()])
    level = CheckboxesField(_l("Levels"), validators=[Optional()])
    grade = CheckboxesField(_l("Grades"), coerce=int, validators=[Optional()])
    school = CheckboxesField(_l("Chosen schools"), validators=[Optional()])
    schools = TextAreaField(_l("More schools by NEIS code (separated by spaces or commas)"),
                            validators=[Optional(), Length(max=2000)])
    classes = StringField(_l("Classes (e.g. 1, 2)"), validators=[Optional(), Length(max=200)])
    template_name = StringField(_l("Template name"), validators=[Optional(), Length(max=100)])
    # The school picker's search (no JavaScript needed: the form comes back with the results).
    school_q = SearchField(_l("School name or NEIS code"), validators=[Optional(), Length(max=100)])
    school_district = SelectField(_l("District office"), coerce=str, validators=[Optional()])
    school_level = SelectField(_l("Level"), validators=[Optional()])

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.alert_class.choices = options((c.value, label(c.value)) for c in AUTHOR_CLASSES)
        locale = str(get_locale())
        self.lesson.choices = options([("", "—")] + [(lesson.slug, lesson.title.get(locale) or lesson.slug)
                                                     for lesson in get_library()])
        self.role.choices = options((role.value, label(role.value)) for role in Role)
        districts = db.session.execute(select(DistrictOffice.id, DistrictOffice.name)
                                       .where(DistrictOffice.office_id == user.office_id)
                                       .order_by(DistrictOffice.name)).all()
        self.district.choices = options(districts)
        levels = [(level.value, label(level.value)) for level in SchoolLevel]
        self.level.choices = options(levels)
        self.grade.choices = options((grade, str(grade)) for grade in GRADES)
        self.school_district.choices = options([("", str(_l("All")))] + [(str(i), n) for i, n in districts])
        self.school_level.choices = options([("", str(_l("All")))] + levels)
        # A chosen school is one of the office's; its label is filled in by the page.
        self.school.choices = options((code, code) for code in self.school.data or [])

    def validate_alert_class(self, field) -> None:
        """Curriculum alerts come from lesson assignments, never from this form."""
        if field.data not in {c.value for c in AUTHOR_CLASSES}:
            raise ValidationError(_l("“%(value)s” is not a kind of alert you can write: choose emergency, "
                                     "urgent or general.", value=str(field.data or "")[:30]))

    def validate_lesson(self, field) -> None:
        """The lesson is one of the library's."""
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("No lesson “%(value)s”.", value=field.data[:100]))

    def validate_school(self, field) -> None:
        """Every chosen school is one of the office's."""
        self._school_ids(field.data or [], field)

    def validate_schools(self, field) -> None:
        """Every typed NEIS code is a school of the office."""
        codes = [code.upper() for code in words(field.data)]
        bad = [code for code in codes if not NEIS_CODE.match(code)]
        if bad:
            raise ValidationError(_l("Not a NEIS school code: %(codes)s", codes=", ".join(bad[:5])))
        self._school_ids(codes, field)

    def _school_ids(self, codes: list[str], field) -> list[int]:
        found = dict(db.session.execute(select(School.code, School.id).where(
            School.office_id == self.user.office_id, School.code.in_(codes))).all()) if codes else {}
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(_l("No school of your office has the code %(codes)s",
                                     codes=", ".join(missing[:5])))
        return [found[code] for code in codes]

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then one text is needed: a title and a message in Korean or in English."""
        good = super().validate(extra_validators)
        if not ((self.title_ko.data and self.body_ko.data) or (self.title_en.data and self.body_en.data)):
            self.body_ko.errors = [*self.body_ko.errors,
                                   _l("Write a title and a message in Korean or in English.")]
            return False
        return good

    def chosen_codes(self) -> list[str]:
        """The schools ticked in the picker and typed as codes, once each, in order."""
        codes = [*(self.school.data or []), *(code.upper() for code in words(self.schools.data))]
        return list(dict.fromkeys(codes))

    def draft(self) -> AlertDraft:
        """The validated form as the draft the alert services store."""
        target = {"district_office_ids": self.district.data or [], "levels": self.level.data or [],
                  "school_ids": self._school_ids(self.chosen_codes(), self.school),
                  "grades": self.grade.data or [], "classes": words(self.classes.data),
                  "roles": self.role.data or []}
        return AlertDraft(alert_class=self.alert_class.data, title_ko=(self.title_ko.data or "").strip(),
                          body_ko=(self.body_ko.data or "").strip(),
                          title_en=(self.title_en.data or "").strip(),
                          body_en=(self.body_en.data or "").strip(), link_url=(self.link.data or "").strip(),
                          lesson_slug=self.lesson.data or "", target=target)

    def fill_from(self, alert: Alert | object) -> None:
        """Fill the fields from a stored alert or template, to edit it or start from it."""
        target = alert.target or {}
        self.alert_class.data = alert.alert_class.value
        for name in ("title_ko", "body_ko", "title_en", "body_en"):
            getattr(self, name).data = getattr(alert, name) or ""
        self.link.data, self.lesson.data = alert.link_url or "", alert.lesson_slug or ""
        self.role.data = list(target.get("roles") or [])
        self.district.data = list(target.get("district_office_ids") or [])
        self.level.data = list(target.get("levels") or [])
        self.grade.data = list(target.get("grades") or [])
        self.classes.data = " ".join(target.get("classes") or [])
        ids = target.get("school_ids") or []
        codes = dict(db.session.execute(select(School.id, School.code).where(School.id.in_(ids))).all())
        self.school.data = [codes[i] for i in ids if i in codes]
        self.school.choices = options((code, code) for code in self.school.data)
