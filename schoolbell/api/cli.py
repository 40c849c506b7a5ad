"""CLI: `flask api-keys create|list|revoke` and `flask cap import FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from schoolbell.alerts.cap import CapError, build_cap, host_of, import_cap
from schoolbell.alerts.models import Alert
from schoolbell.alerts.services import AlertError
from schoolbell.api.keys import ApiKeyError, create_key, office_keys, revoke_key
from schoolbell.api.models import KeyKind
from schoolbell.directory.office_lookup import office_or_exit
from schoolbell.extensions import db
from schoolbell.timeutil import seoul

api_keys_cli = AppGroup("api-keys", help="API keys of an office (stored hashed; shown once).")
cap_cli = AppGroup("cap", help="CAP 1.2 messages: import one as a draft alert, or print an alert's.")


@api_keys_cli.command("create")
@click.option("--office", "office_code", required=True, help="office code, e.g. B10")
@click.option("--name", required=True, help="what the key is for, e.g. 'police task force'")
@click.option("--kind", type=click.Choice([kind.value for kind in KeyKind]), default=KeyKind.LIVE.value,
              show_default=True, help="live sends; team sends only to the office's staff; test sends nothing")
@click.option("--read-only", is_flag=True, help="the key may read but never create, send or cancel")
@click.option("--by", "actor", default="cli", show_default=True, help="who made it (audit)")
def create_command(office_code: str, name: str, kind: str, read_only: bool, actor: str) -> None:
    """Make a key and print it once: it is stored only as a hash and cannot be shown again."""
    try:
        key, token = create_key(office_or_exit(office_code), name, kind, actor, read_only=read_only)
    except ApiKeyError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(token)
    click.echo(f"key {key.prefix} ({kind}{', read-only' if read_only else ''}) for {office_code}: "
               "copy it now, it is not shown again", err=True)


@api_keys_cli.command("list")
@click.option("--office", "office_code", required=True)
@click.option("--json", "as_json", is_flag=True)
def list_command(office_code: str, as_json: bool) -> None:
    """The office's keys (prefix, name, kind, state); never the secret."""
    rows = [{"prefix": key.prefix, "name": key.name, "kind": key.kind.value, "read_only": key.read_only,
             "created_at": seoul(key.created_at).isoformat(timespec="seconds"),
             "last_used_at": (seoul(key.last_used_at).isoformat(timespec="seconds")
                              if key.last_used_at else None),
             "revoked": key.revoked_at is not None} for key in office_keys(office_or_exit(office_code))]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        click.echo(f"{row['prefix']}  {row['kind']:<4}  {'ro' if row['read_only'] else 'rw'}  {state:<7}  "
                   f"{row['name']}  (last used {row['last_used_at'] or 'never'})")


@api_keys_cli.command("revoke")
@click.option("--office", "office_code", required=True)
@click.argument("prefix")
def revoke_command(office_code: str, prefix: str) -> None:
    """Revoke a key by its prefix: it answers 401 from the next request."""
    try:
        key = revoke_key(office_or_exit(office_code), prefix)
    except ApiKeyError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"revoked {key.prefix} ({key.name})")


@cap_cli.command("import")
@click.option("--office", "office_code", required=True)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(office_code: str, path: Path) -> None:
    """Store a CAP 1.2 message as a draft alert; prints its id. Choose its target before sending."""
    try:
        alert = import_cap(office_or_exit(office_code), path.read_bytes(), actor="cli:cap-import")
    except (CapError, AlertError) as error:
        raise click.ClickException(f"{path.name}: {error}") from error
    db.session.commit()
    click.echo(alert.id)


@cap_cli.command("show")
@click.argument("alert_id", type=int)
def show_command(alert_id: int) -> None:
    """Print an alert's latest CAP 1.2 message."""
    from flask import current_app

    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise click.ClickException(f"there is no alert {alert_id}")
    click.echo(build_cap(alert, host_of(current_app.config.get("PUBLIC_BASE_URL", ""))).decode())


webhooks_cli = AppGroup("api-webhooks", help="Outgoing webhooks: collect events and post them, signed.")


@webhooks_cli.command("run")
@click.option("--once", is_flag=True, help="collect and post what is due once, then stop")
@click.option("--interval", type=float, default=5.0, show_default=True, help="seconds between rounds")
@click.option("--settle", type=float, default=15.0, show_default=True,
              help="collect changes at least this many seconds old (their transactions have committed)")
def run_command(once: bool, interval: float, settle: float) -> None:
    """Collect new events and post due ones (retries with backoff for 24 h); run one of these."""
    from datetime import timedelta

    from flask import current_app

    from schoolbell.api.webhooks.runner import WebhookRunner

    runner = WebhookRunner(current_app._get_current_object(), interval, timedelta(seconds=settle))
    if once:
        added, outcome = runner.round()
        click.echo(f"collected {added}; " + ", ".join(f"{k} {v}" for k, v in outcome.items()))
        return
    runner.run()
