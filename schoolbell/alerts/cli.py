"""`flask alerts …`: create, preview, send, schedule, status, cancel, resend, failures."""

from __future__ import annotations

import getpass
import json
from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from schoolbell import database
from schoolbell.alerts.models import Alert, AlertClass
from schoolbell.alerts.reports import audit_trail, failures_csv, school_counts, status_counts
from schoolbell.alerts.services import (
    AlertDraft,
    AlertError,
    cancel_alert,
    create_alert,
    draft_warnings,
    quiet_due,
    resend_failed,
    schedule_alert,
    send_alert,
)
from schoolbell.alerts.summary import kst, preview_report, timing
from schoolbell.alerts.target_names import district_ids, school_ids
from schoolbell.alerts.targeting import TargetError
from schoolbell.directory.models import EducationOffice, Role, SchoolLevel
from schoolbell.extensions import db
from schoolbell.timeutil import SEOUL

alerts_cli = AppGroup("alerts", help="Compose, send and follow alerts.")
ACTOR = click.option("--actor", default=lambda: getpass.getuser(), show_default="your login",
                     help="Who does this, for the audit trail.")
JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


def _office(code: str | None) -> EducationOffice:
    offices = list(db.session.scalars(select(EducationOffice)))
    if code:
        offices = [o for o in offices if o.code == code]
    if len(offices) != 1:
        raise click.ClickException("name the education office with --office CODE (e.g. B10)"
                                   if offices else "no such education office; import schools first")
    return offices[0]


def _alert(alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise click.ClickException(f"no alert {alert_id}")
    return alert


@alerts_cli.command("create")
@click.option("--class", "alert_class", type=click.Choice([c.value for c in AlertClass]), required=True)
@click.option("--title-ko", default="")
@click.option("--body-ko", default="")
@click.option("--title-en", default="")
@click.option("--body-en", default="")
@click.option("--link", default="", help="A lesson or notice page.")
@click.option("--lesson", default="", help="The slug of the lesson this alert leads to.")
@click.option("--office", "office_code", help="Education office code (default: the only one).")
@click.option("--district", multiple=True, help="District office name, part of it, or code.")
@click.option("--level", multiple=True, type=click.Choice([lv.value for lv in SchoolLevel]))
@click.option("--school", multiple=True, help="NEIS school code.")
@click.option("--grade", multiple=True, type=int)
@click.option("--class-name", "classes", multiple=True, help="Class name, e.g. 3.")
@click.option("--role", multiple=True, type=click.Choice([r.value for r in Role]))
@ACTOR
def create_command(alert_class, title_ko, body_ko, title_en, body_en, link, lesson, office_code,
                   district, level, school, grade, classes, role, actor) -> None:
    """Create a draft alert and print its id; warnings go to stderr."""
    office = _office(office_code)
    try:
        target = {"district_office_ids": district_ids(office, district), "levels": list(level),
                  "school_ids": school_ids(office, school), "grades": list(grade),
                  "classes": list(classes), "roles": list(role)}
        draft = AlertDraft(alert_class=alert_class, title_ko=title_ko, body_ko=body_ko,
                           title_en=title_en, body_en=body_en, link_url=link, lesson_slug=lesson,
                           target=target)
        alert = create_alert(office, draft, actor)
    except (AlertError, TargetError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for warning in draft_warnings(draft):
        click.echo(f"warning: {warning}", err=True)
    click.echo(alert.id)


@alerts_cli.command("preview")
@click.argument("alert_id", type=int)
@click.option("--show-unreachable", default=10, show_default=True,
              help="How many unreachable people to list (masked).")
@JSON
def preview_command(alert_id: int, show_unreachable: int, as_json: bool) -> None:
    """How many people and messages per channel the alert would send, and the SMS length."""
    alert = _alert(alert_id)
    result = preview_report(alert, show_unreachable)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    messages, sms, listed = result["messages"], result["sms_analysis"], result["unreachable_listed"]
    click.echo(f"Alert {alert.id} ({alert.alert_class.value}): {result['people']:,} people; "
               f"{messages['sms']:,} SMS, {messages['email']:,} emails; "
               f"{result['unreachable']:,} unreachable")
    for language, info in sms["languages"].items():
        click.echo(f"  SMS {language}: {info['encoding']}, {info['segments']} segment(s), "
                   f"{info['cp949_bytes']} CP949 bytes ({info['korean_domestic_type']})"
                   + (f"; not on Korean routes: {' '.join(info['unsupported_characters'])}"
                      if info["unsupported_characters"] else ""))
    click.echo(f"  SMS segments in all: {sms['total_segments']:,}")
    click.echo(f"  {sms['carrier_explanation']['en']}")
    for line in _timing_lines(result):
        click.echo(f"  {line}")
    for warning in result["warnings"]:
        click.echo(f"  warning: {warning}")
    if result["reaches_nobody"]:
        click.echo(f"  cannot be sent: {result['reaches_nobody']}")
    for person in listed:
        click.echo(f"  unreachable #{person['contact_id']}: {person['reason']}")


@alerts_cli.command("send")
@click.argument("alert_id", type=int)
@ACTOR
def send_command(alert_id: int, actor: str) -> None:
    """Fan the alert out to its deliveries now; workers send them."""
    # Its database work is told apart from the pages' in pg_stat_activity (docs/operations.md).
    database.name_connections("schoolbell-fan-out")
    alert = _alert(alert_id)
    try:
        created = send_alert(alert, actor, quiet_due(alert))
    except AlertError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Alert {alert_id}: {created:,} deliveries queued."
               + (f" Quiet hours: they wait until {kst(alert.deferred_until)}." if alert.deferred_until
                  else ""))


def _parse_at(text: str) -> datetime:
    """A send time: "YYYY-MM-DD HH:MM" in Asia/Seoul, or ISO 8601 with an offset or Z."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r}: use e.g. \"2026-11-24 09:00\" (Seoul time) or "
                                 "2026-11-24T00:00Z", param_hint="--at") from None
    return moment.replace(tzinfo=SEOUL) if moment.tzinfo is None else moment


def _timing_lines(timing: dict) -> list[str]:
    lines = []
    if timing["send_at"]:
        lines.append(f"send at {timing['send_at_seoul']} ({timing['send_at'][:16].replace('T', ' ')} UTC)")
    if timing["quiet_hours_wait_until_seoul"]:
        lines.append(f"quiet hours: its messages would wait until {timing['quiet_hours_wait_until_seoul']}")
    if timing["deferred_until_seoul"]:
        lines.append(f"quiet hours: its messages were held until {timing['deferred_until_seoul']}")
    return lines


@alerts_cli.command("schedule")
@click.argument("alert_id", type=int)
@click.option("--at", "at_text", required=True,
              help='When to send: "YYYY-MM-DD HH:MM" in Seoul time, or ISO 8601 with an offset.')
@ACTOR
def schedule_command(alert_id: int, at_text: str, actor: str) -> None:
    """Send the alert at a given time; run again to move it, `cancel` to drop it, until sending starts."""
    alert = _alert(alert_id)
    try:
        schedule_alert(alert, _parse_at(at_text), actor)
    except AlertError as error:
        raise click.ClickException(str(error)) from None
    send_at = alert.send_at
    click.echo(f"Alert {alert_id}: scheduled for {kst(send_at)} ({send_at:%Y-%m-%d %H:%M} UTC).")
    waits = quiet_due(alert, send_at)
    if waits > send_at:
        click.echo(f"  quiet hours: its messages will wait until {kst(waits)}.")


@alerts_cli.command("status")
@click.argument("alert_id", type=int)
@JSON
def status_command(alert_id: int, as_json: bool) -> None:
    """Deliveries by status, channel and school, and the audit trail."""
    alert = _alert(alert_id)
    result = {"alert_id": alert.id, "status": alert.status.value, **status_counts(alert),
              "schools": school_counts(alert), "audit": audit_trail(alert), **timing(alert)}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"Alert {alert.id}: {alert.status.value}; {result['total']:,} deliveries")
    for line in _timing_lines(result):
        click.echo(f"  {line}")
    click.echo("  " + ", ".join(f"{n:,} {s}" for s, n in sorted(result["by_status"].items())))
    for channel, counts in sorted(result["by_channel"].items()):
        click.echo(f"  {channel}: " + ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items())))
    if result["uncertain"]:
        click.echo(f"  {result['uncertain']:,} uncertain: their answer was lost; the provider is asked "
                   "before they go again")
    if result["maybe_duplicate"]:
        click.echo(f"  {result['maybe_duplicate']:,} may have gone twice (sent again after a crash, "
                   "with no way to ask the provider)")
    if result["fallback"]:
        click.echo(f"  {result['fallback']:,} emails sent because SMS failed")
    for event in result["audit"]:
        click.echo(f"  {event['at']} {event['action']} by {event['actor']}{_event_note(event['detail'])}")


def _event_note(detail: dict) -> str:
    """The scheduling facts of an audit record: for when, how late, held until when."""
    def shown(key: str, width: int = 16) -> str:
        return detail[key].replace("T", " ")[:width] + " KST"

    notes = []
    if "send_at_seoul" in detail:
        notes.append(f"for {shown('send_at_seoul')}")
    if "late_seconds" in detail:
        notes.append(f"due {shown('due_at', 19)}, sent {detail['late_seconds']:.0f} s after")
    if "deferred_until" in detail:
        notes.append(f"held by quiet hours until {shown('deferred_until')}")
    return f" ({'; '.join(notes)})" if notes else ""


@alerts_cli.command("cancel")
@click.argument("alert_id", type=int)
@ACTOR
def cancel_command(alert_id: int, actor: str) -> None:
    """Stop whatever has not been sent yet."""
    try:
        cancelled = cancel_alert(_alert(alert_id), actor)
    except AlertError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Alert {alert_id}: cancelled; {cancelled:,} unsent deliveries stopped.")


@alerts_cli.command("resend-failed")
@click.argument("alert_id", type=int)
@ACTOR
def resend_command(alert_id: int, actor: str) -> None:
    """Try again for the people whose message failed, and only them."""
    count = resend_failed(_alert(alert_id), actor)
    click.echo(f"Alert {alert_id}: {count:,} failed deliveries queued again.")


@alerts_cli.command("failures")
@click.argument("alert_id", type=int)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8-sig"), default="-")
def failures_command(alert_id: int, output) -> None:
    """Failed deliveries as CSV: school, masked address, code, reason."""
    output.write(failures_csv(_alert(alert_id)))
