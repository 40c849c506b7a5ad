"""Imports in the console: a contacts CSV or a NEIS school file is checked first (a preview of what
would change, the sync's leavers, every bad row), then written only when confirmed; long files run in
the background with a progress bar."""

from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User, UserRole
from schoolbell.accounts.scope import is_admin, school_scope
from schoolbell.directory.audit import record_import
from schoolbell.directory.contact_import import CONTACT_OUTCOMES, errors_csv, import_contacts
from schoolbell.directory.csvfiles import ImportFileError, count_lines
from schoolbell.directory.models import School
from schoolbell.directory.school_import import SCHOOL_OUTCOMES, import_schools
from schoolbell.directory.sync import SCOPES
from schoolbell.extensions import db
from schoolbell.timeutil import utcnow

imports = Blueprint("imports", __name__, url_prefix="/console/imports")
KINDS = ("contacts", "schools")
THREADS = "schoolbell.import_threads"
# Uploaded files hold personal data: each goes once written, and whatever is left after this long.
KEEP_SECONDS = 24 * 3600


def _importer() -> User:
    user = current_user()
    if not is_admin(user):
        abort(404)
    return user


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_files() -> None:
    """Delete uploads, error files and states older than a day (never needed again, personal data)."""
    limit = utcnow().timestamp() - KEEP_SECONDS
    for state in _folder().glob("*.json"):
        try:
            created = json.loads(state.read_text(encoding="utf-8")).get("created", 0)
        except (OSError, ValueError):
            created = 0
        if created < limit:
            for path in _folder().glob(f"{state.stem}.*"):
                path.unlink(missing_ok=True)


def _state_path(token: str) -> Path:
    if not token.isalnum() or len(token) > 40:
        abort(404)
    return _folder() / f"{token}.json"


def _load(token: str, user: User) -> dict:
    path = _state_path(token)
    if not path.is_file():
        abort(404)
    state = json.loads(path.read_text(encoding="utf-8"))
    if state["user_id"] != user.id:
        abort(404)  # an import is its importer's alone
    return state


def _save(token: str, state: dict) -> None:
    path = _state_path(token)
    spare = path.with_suffix(".tmp")
    spare.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    spare.replace(path)  # a reader never sees half a file


@imports.get("/")
@login_required
def new():
    """Choose a file, what it holds and how to import it."""
    user = _importer()
    return render_template("imports/new.html", user=user, error=None, scopes=SCOPES,
                           chosen_sync=request.args.get("sync", ""))


@imports.post("/")
@login_required
def upload():
    """Keep the file and start its check (a dry run) in the background."""
    user = _importer()
    upload = request.files.get("file")
    kind = request.form.get("kind", "contacts")
    sync = request.form.get("sync") or None
    error = None
    if upload is None or not upload.filename:
        error = _("Choose a file to import.")
    elif kind not in KINDS or (kind == "schools" and user.role is not UserRole.OFFICE):
        error = _("Choose what the file holds.")
    elif sync is not None and (sync not in SCOPES or kind != "contacts"):
        error = _("A sync is for a contacts file, by school or by class.")
    if error:
        return render_template("imports/new.html", user=user, error=error, scopes=SCOPES,
                               chosen_sync=sync or ""), 400
    _forget_old_files()
    token = secrets.token_hex(16)
    name = Path(upload.filename).name[:100] or "upload.csv"
    suffix = ".json" if name.lower().endswith(".json") else ".csv"
    upload.save(_folder() / f"{token}{suffix}")
    state = {"user_id": user.id, "office_id": user.office_id, "kind": kind, "sync": sync, "file": name,
             "created": utcnow().timestamp(),
             "suffix": suffix, "stage": "preview", "state": "running", "rows_done": 0,
             "rows_total": max(1, count_lines(_folder() / f"{token}{suffix}") - 1)}
    _save(token, state)
    _start(current_app._get_current_object(), token, user, dry_run=True)
    return redirect(url_for("imports.show", token=token))


def _school_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(School.id).where(school_scope(user))))


def _start(app: Flask, token: str, user: User, dry_run: bool) -> None:
    school_ids = _school_ids(user)
    thread = threading.Thread(target=_run, args=(app, token, school_ids, dry_run, user.email),
                              name=f"import-{token[:6]}", daemon=True)
    app.extensions.setdefault(THREADS, {})[token] = thread
    thread.start()


def _run(app: Flask, token: str, school_ids: set[int], dry_run: bool, actor: str) -> None:
    """Run the import (or its check) in its own app context, writing progress to the state file."""
    with app.app_context():
        state = json.loads(_state_path(token).read_text(encoding="utf-8"))
        path = _folder() / f"{token}{state['suffix']}"
        state["rows_done"] = 0

        def progress(rows: int) -> None:
            state["rows_done"] += rows
            _save(token, state)

        try:
            if state["kind"] == "schools":
                summary = import_schools(path, progress, dry_run=dry_run)
                outcomes = SCHOOL_OUTCOMES
            else:
                summary = import_contacts(path, progress, sync=state["sync"], dry_run=dry_run,
                                          school_ids=school_ids)
                outcomes = CONTACT_OUTCOMES
            state["summary"] = summary.as_dict(outcomes)
            if summary.problems and state["kind"] == "contacts":
                (_folder() / f"{token}.errors.csv").write_text(errors_csv(summary), encoding="utf-8-sig")
            if not dry_run and state["kind"] == "contacts":
                record_import(state["office_id"], actor, state["file"], summary)
                db.session.commit()
            state["state"] = "done"
            if not dry_run:
                path.unlink(missing_ok=True)  # written: the uploaded copy has done its work
        except ImportFileError as problem:
            state["state"], state["error"] = "failed", str(problem)
        except Exception:  # noqa: BLE001 — the page must say it failed, not spin forever
            app.logger.exception("import %s failed", token)
            state["state"], state["error"] = "failed", "the import stopped on an unexpected error"
        finally:
            db.session.remove()
        _save(token, state)


@imports.get("/<token>")
@login_required
def show(token: str):
    """Progress while it runs; then the preview (or the result) with every bad row."""
    user = _importer()
    state = _load(token, user)
    running = state["state"] == "running"
    return render_template("imports/show.html", user=user, token=token, state=state, running=running,
                           has_errors=(_folder() / f"{token}.errors.csv").is_file())


@imports.post("/<token>/apply")
@login_required
def apply(token: str):
    """Write what the preview showed."""
    user = _importer()
    state = _load(token, user)
    if state["stage"] != "preview" or state["state"] != "done":
        abort(409)
    state.update(stage="apply", state="running", rows_done=0)
    _save(token, state)
    _start(current_app._get_current_object(), token, user, dry_run=False)
    return redirect(url_for("imports.show", token=token))


@imports.get("/<token>/errors.csv")
@login_required
def errors(token: str):
    """The rejected rows with line, field and reason, to fix and import again (Excel-safe)."""
    user = _importer()
    _load(token, user)
    path = _folder() / f"{token}.errors.csv"
    if not path.is_file():
        abort(404)
    return Response(path.read_bytes(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=import-errors.csv",
                             "Cache-Control": "no-store"})

