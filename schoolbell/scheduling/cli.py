"""`flask scheduler`: the one scheduler process; SIGTERM or Ctrl-C stops it and frees the lock."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from schoolbell import database
from schoolbell.logging_setup import configure_logging
from schoolbell.scheduling.lock import SchedulerLockHeld
from schoolbell.scheduling.runner import SchedulerRunner


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the only scheduler: scheduled alerts go when due, and after downtime, once."""
    configure_logging(current_app.config["LOG_FORMAT"], current_app.config["LOG_LEVEL"])
    # APScheduler reports every run of every job at INFO; what matters is logged by schoolbell.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    database.name_connections("schoolbell-scheduler")
    runner = SchedulerRunner(current_app._get_current_object())
    try:
        runner.start()
    except SchedulerLockHeld as error:
        raise click.ClickException(str(error)) from None
    asked_to_stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda _signum, _frame: asked_to_stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not asked_to_stop.is_set() and not runner.done.is_set():
            asked_to_stop.wait(0.5)
    finally:
        runner.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if runner.lost:
        raise click.ClickException("another scheduler took over the lock; this one stopped")
