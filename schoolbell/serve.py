"""`flask serve`: the embedded deployment, one process serving pages and running background work."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the web app and start background work explicitly (never inside create_app)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    click.echo(f"SchoolBell on http://{host}:{port}/  (outbox: {app.config['OUTBOX_DIR']})")
    run_simple(host, port, app, threaded=True, use_reloader=False)
