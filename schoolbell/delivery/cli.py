"""`flask worker`: the dispatcher process; SIGTERM stops it after the batch in hand."""

from __future__ import annotations

import json
import signal

import click
from flask import current_app
from flask.cli import with_appcontext

from schoolbell import database
from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings
from schoolbell.logging_setup import configure_logging


@click.command("worker")
@click.option("--until-idle", is_flag=True, help="Drain what is due, then exit.")
@click.option("--batch", "batch_size", type=int, help="Deliveries claimed per batch.")
@click.option("--sms-concurrency", type=int, help="SMS sends in flight at once.")
@click.option("--email-threads", type=int, help="Email sends in flight at once.")
@click.option("--prefer", type=click.Choice(["sms", "email"]),
              help="Claim this channel's deliveries first, the others when none of its own are due.")
@click.option("--json", "as_json", is_flag=True, help="Print the totals as JSON at exit.")
@with_appcontext
def worker_command(until_idle: bool, batch_size: int | None, sms_concurrency: int | None,
                   email_threads: int | None, prefer: str | None, as_json: bool) -> None:
    """Send due deliveries: claim a batch with a lease, send, record, repeat."""
    configure_logging(current_app.config["LOG_FORMAT"], current_app.config["LOG_LEVEL"])
    database.name_connections("schoolbell-worker")
    app = current_app._get_current_object()
    settings = DispatcherSettings.from_config(app.config, batch_size=batch_size,
                                              sms_concurrency=sms_concurrency,
                                              email_threads=email_threads, prefer=prefer)
    dispatcher = Dispatcher(app, settings)
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: dispatcher.stop())
    try:
        totals = dispatcher.run(until_idle=until_idle)
    finally:
        signal.signal(signal.SIGTERM, previous)
        dispatcher.close()
        dispatcher.backends.close()
    click.echo(json.dumps(totals) if as_json else
               ", ".join(f"{count:,} {name}" for name, count in totals.items()))
