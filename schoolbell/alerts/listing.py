"""An office's alerts as a list: filters, pages, and each alert's headline figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import distinct, func, or_, select

from schoolbell import timeutil
from schoolbell.alerts.audience import AlertApiMode, counts_in_statistics
from schoolbell.alerts.models import Acknowledgement, Alert, AlertClass, AlertStatus, Delivery, DeliveryStatus
from schoolbell.alerts.read_cache import TABLE_COST_FACTOR, shared_reading
from schoolbell.extensions import db

PAGE_SIZE = 20
REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
NOT_COUNTED = (DeliveryStatus.CANCELLED, DeliveryStatus.SKIPPED)
# A month's totals are not watched live: each web process reads them (a second at city scale) at most
# once a minute, however often the front page is opened.
OFFICE_FIGURES_KEPT = 60


@dataclass(frozen=True)
class AlertFilter:
    """What the reader asked to see; every field is optional."""

    text: str = ""
    alert_class: AlertClass | None = None
    status: AlertStatus | None = None
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list:
        """SQL conditions for the filter (dates are Seoul calendar days, on the creation time)."""
        found = []
        if self.text:
            pattern = f"%{self.text.strip()}%"
            found.append(or_(Alert.title_ko.ilike(pattern), Alert.title_en.ilike(pattern),
                             Alert.body_ko.ilike(pattern), Alert.body_en.ilike(pattern),
                             Alert.created_by.ilike(pattern)))
        if self.alert_class is not None:
            found.append(Alert.alert_class == self.alert_class)
        if self.status is not None:
            found.append(Alert.status == self.status)
        if self.since is not None:
            found.append(Alert.created_at >= _seoul_midnight(self.since))
        if self.until is not None:
            found.append(Alert.created_at < _seoul_midnight(self.until + timedelta(days=1)))
        return found


@dataclass
class Figures:
    """One alert's headline numbers."""

    people: int = 0
    messages: int = 0
    delivered: int = 0
    failed: int = 0
    reached_people: int = 0
    confirmed: int = 0

    @property
    def delivered_rate(self) -> float | None:
        """Share of the messages that went out which carriers confirmed delivered."""
        return round(self.delivered / self.messages, 3) if self.messages else None

    @property
    def confirmed_rate(self) -> float | None:
        """Share of the people reached who confirmed."""
        return round(self.confirmed / self.reached_people, 3) if self.reached_people else None


@dataclass
class AlertPage:
    """One page of the list."""

    alerts: list[Alert]
    figures: dict[int, Figures] = field(default_factory=dict)
    page: int = 1
    pages: int = 1
    total: int = 0


def _seoul_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timeutil.SEOUL)


def figures_for(alert_ids: list[int]) -> dict[int, Figures]:
    """Headline figures of several alerts in two grouped queries (never one query per alert)."""
    found = {alert_id: Figures() for alert_id in alert_ids}
    if not alert_ids:
        return found
    rows = db.session.execute(
        select(Delivery.alert_id, func.count(distinct(Delivery.contact_id)),
               func.count().filter(Delivery.status.not_in(NOT_COUNTED)),
               func.count().filter(Delivery.status == DeliveryStatus.DELIVERED),
               func.count().filter(Delivery.status.in_((DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED))),
               func.count(distinct(Delivery.contact_id)).filter(Delivery.status.in_(REACHED)))
        .where(Delivery.alert_id.in_(alert_ids)).group_by(Delivery.alert_id))
    for alert_id, people, messages, delivered, failed, reached in rows:
        found[alert_id] = Figures(people, messages, delivered, failed, reached)
    acked = db.session.execute(
        select(Acknowledgement.alert_id, func.count(distinct(Acknowledgement.contact_id)))
        .where(Acknowledgement.alert_id.in_(alert_ids)).group_by(Acknowledgement.alert_id))
    for alert_id, confirmed in acked:
        found[alert_id].confirmed = confirmed
    return found


@dataclass
class OfficeFigures:
    """An office's alerts of the last days, drills and test alerts left out."""

    days: int
    alerts: int
    figures: Figures


def office_figures(office_id: int, days: int = 30) -> OfficeFigures:
    """The office's sent alerts of the last `days` and their messages, leaving out drills and test-key
    alerts (they are not the office's real reach); shared for a while, as a city's figures cost seconds."""
    def read() -> OfficeFigures:
        since = timeutil.utcnow() - timedelta(days=days)
        ids = list(db.session.scalars(select(Alert.id).where(
            Alert.office_id == office_id, Alert.fanned_out_at >= since, counts_in_statistics())))
        total = Figures()
        for one in figures_for(ids).values():
            for name in ("people", "messages", "delivered", "failed", "reached_people", "confirmed"):
                setattr(total, name, getattr(total, name) + getattr(one, name))
        return OfficeFigures(days, len(ids), total)

    return shared_reading(("office-figures", office_id, days), read, keep_at_least=OFFICE_FIGURES_KEPT).value


def modes_of(alert_ids: list[int]) -> dict[int, str]:
    """Which of these alerts are drills, team or test alerts (the rest are live)."""
    if not alert_ids:
        return {}
    return dict(db.session.execute(select(AlertApiMode.alert_id, AlertApiMode.mode)
                                   .where(AlertApiMode.alert_id.in_(alert_ids))).all())


def list_alerts(office_id: int, wanted: AlertFilter, page: int = 1, visible=None,
                page_size: int = PAGE_SIZE) -> AlertPage:
    """A page of an office's alerts, newest first; `visible(alert)` narrows it (a teacher's school)."""
    query = select(Alert).where(Alert.office_id == office_id, *wanted.conditions()).order_by(Alert.id.desc())
    if visible is None:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        alerts = list(db.session.scalars(query.offset((page - 1) * page_size).limit(page_size)))
    else:
        # Whether a teacher sees an alert depends on its target (JSON): judged here, over a bounded window.
        shown = [alert for alert in db.session.scalars(query.limit(page_size * 25)) if visible(alert)]
        total = len(shown)
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        alerts = shown[(page - 1) * page_size: page * page_size]
    # The figures of a city-wide alert take a second to count: pages shown within a moment share them.
    ids = [alert.id for alert in alerts]
    figures = shared_reading(("figures", tuple((alert.id, alert.status) for alert in alerts)),
                             lambda: figures_for(ids), cost_factor=TABLE_COST_FACTOR).value
    return AlertPage(alerts, figures, page, pages, total)
