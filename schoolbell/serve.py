"""`flask serve`: the embedded deployment, one process serving pages and running background work."""

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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-background", is_flag=True, help="Serve pages only; run workers separately.")
@with_appcontext
def serve_command(host: str, port: int, no_background: bool) -> None:
    """Serve the web app and start background work explicitly (never inside create_app)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    dispatcher = None if no_background else start_dispatcher_thread(app)
    click.echo(f"SchoolBell on http://{host}:{port}/  (outbox: {app.config['OUTBOX_DIR']})")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if dispatcher is not None:
            dispatcher.stop()
