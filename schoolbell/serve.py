"""`flask serve`: the embedded deployment, one process serving pages, the scheduler, a dispatcher and
the webhook sender."""

from __future__ import annotations

import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def start_dispatcher_thread(app: Flask):
    """Run a dispatcher in a daemon thread with its own app context; returns it (call .stop())."""
    from schoolbell.delivery.dispatcher import Dispatcher

    dispatcher = Dispatcher(app)

    def work() -> None:
        with app.app_context():
            dispatcher.run()

    threading.Thread(target=work, name="schoolbell-dispatcher", daemon=True).start()
    return dispatcher


def start_scheduler(app: Flask):
    """Run the scheduler in this process under the single-scheduler lock; returns it (call .stop())."""
    from schoolbell.scheduling.runner import SchedulerRunner

    runner = SchedulerRunner(app)
    runner.start()
    return runner


def start_webhook_thread(app: Flask):
    """Collect and post the offices' webhook events in a daemon thread; returns it (call .stop())."""
    from schoolbell.api.webhooks.runner import WebhookRunner

    return WebhookRunner(app).start()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-background", is_flag=True,
              help="Serve pages only; run `flask scheduler`, `flask worker` and `flask api-webhooks run` "
                   "separately.")
@with_appcontext
def serve_command(host: str, port: int, no_background: bool) -> None:
    """Serve the web app and start background work explicitly (never inside create_app)."""
    from werkzeug.serving import run_simple

    from schoolbell.logging_setup import configure_logging
    from schoolbell.scheduling.lock import SchedulerLockHeld
    from schoolbell.web.access_log import RedactingRequestHandler

    app = current_app._get_current_object()
    # The access log and the background threads' lines in LOG_FORMAT (json: one object a line), masked.
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    try:
        scheduler = None if no_background else start_scheduler(app)
    except SchedulerLockHeld as error:
        raise click.ClickException(f"{error}\nTo serve pages only: flask serve --no-background") from None
    dispatcher = None if no_background else start_dispatcher_thread(app)
    webhooks = None if no_background else start_webhook_thread(app)
    click.echo(f"SchoolBell on http://{host}:{port}/  (outbox: {app.config['OUTBOX_DIR']})")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False,
                   request_handler=RedactingRequestHandler)
    finally:
        if dispatcher is not None:
            dispatcher.stop()
        if webhooks is not None:
            webhooks.stop()
        if scheduler is not None:
            scheduler.stop()
