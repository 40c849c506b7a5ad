"""Command-line tools of the directory: `flask schools import|list`, `flask contacts import`,
`flask demo seed`."""

from __future__ import annotations

import getpass
import json
import sys
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from schoolbell.directory.audit import record_import
from schoolbell.directory.contact_import import CONTACT_OUTCOMES, errors_csv, import_contacts
from schoolbell.directory.csvfiles import ImportFileError, count_lines
from schoolbell.directory.demo import SCALES, directory_is_empty, seed_demo
from schoolbell.directory.listing import LEVEL_ORDER, find_schools, school_as_dict
from schoolbell.directory.school_import import SCHOOL_OUTCOMES, import_schools
from schoolbell.directory.summary import ImportSummary
from schoolbell.directory.sync import SCOPES
from schoolbell.extensions import db

schools_cli = AppGroup("schools", help="Import and list schools.")
contacts_cli = AppGroup("contacts", help="Import people and their school memberships.")
demo_cli = AppGroup("demo", help="Synthetic demo data on the real Seoul school list.")

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
# 1: the file was refused whole, nothing written (click's own); 3: rows went in, some were rejected.
EXIT_ROWS_REJECTED = 3


@contextmanager
def _progress(path: Path, label: str, quiet: bool):
    """A progress bar on stderr, sized by the file's lines, shown from the first row read on
    (so a file rejected whole prints only its error); silent when asked for JSON."""
    bars = []

    def update(rows: int) -> None:
        if quiet:
            return
        if not bars:
            bars.append(click.progressbar(length=max(1, count_lines(path) - 1), label=label,
                                          file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(rows)

    try:
        yield update
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


def _report(summary: ImportSummary, outcomes: tuple[str, ...], as_json: bool) -> None:
    """Print the summary; exit non-zero when any row was rejected, so no script takes it for done."""
    if as_json:
        click.echo(json.dumps(summary.as_dict(outcomes), ensure_ascii=False, indent=2))
    else:
        click.echo(summary.human(outcomes))
    if summary.problems:
        sys.exit(EXIT_ROWS_REJECTED)


def _run_import(importer, path: Path, label: str, as_json: bool) -> ImportSummary:
    try:
        with _progress(path, label, as_json) as progress:
            return importer(path, progress)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None


@schools_cli.command("import")
@click.argument("file", type=FILE)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
def schools_import(file: Path, as_json: bool) -> None:
    """Import a NEIS 학교기본정보 export (Korean or Open API headers, CSV or JSON) or a
    학교위치표준데이터 file (coordinates). UTF-8, UTF-8 with BOM and CP949 are detected."""
    summary = _run_import(import_schools, file, "schools", as_json)
    _report(summary, SCHOOL_OUTCOMES, as_json)


@schools_cli.command("list")
@click.option("--district", default="", help="A district office's name (any part, e.g. 성동광진) or code.")
@click.option("--level", type=click.Choice(LEVEL_ORDER), help="Only schools of this level.")
@click.option("--search", default="", help="Part of a school's name (Korean or English) or its code.")
@click.option("--json", "as_json", is_flag=True, help="Print the schools as JSON.")
def schools_list(district: str, level: str | None, search: str, as_json: bool) -> None:
    """List schools with their NEIS codes (what `flask users create --school` and imports need),
    grouped by district office and level."""
    schools = find_schools(district=district, query=search, level=level or "")
    if as_json:
        click.echo(json.dumps([school_as_dict(s) for s in schools], ensure_ascii=False, indent=2))
        return
    if not schools:
        click.echo("No schools match." if district or search or level else
                   "No schools yet: run `flask schools import FILE` or `flask demo seed`.")
        return
    heading = None
    for school in schools:
        district_name = school.district_office.name if school.district_office else "-"
        if (district_name, school.level) != heading:
            heading = (district_name, school.level)
            click.echo(f"\n{district_name} · {school.level.value}")
        click.echo(f"  {school.code}  {school.name_ko}" + (f" ({school.name_en})" if school.name_en else ""))
    click.echo(f"\n{len(schools):,} schools")


@contacts_cli.command("import")
@click.argument("file", type=FILE)
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write rejected rows here, with line, field and reason, to fix and re-import.")
@click.option("--sync", "sync", type=click.Choice(SCOPES),
              help="The file is the whole roster of each school (or class) it names: people there who "
                   "are not in it leave, and people left with no school are removed. Shows the counts "
                   "and asks before writing (--yes to skip). Without it the import only adds.")
@click.option("--yes", is_flag=True, help="With --sync: apply without asking.")
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
def contacts_import(file: Path, errors_file: Path | None, sync: str | None, yes: bool, dry_run: bool,
                    as_json: bool) -> None:
    """Import people from a CSV (see the README for its columns); bad rows are reported."""
    if sync and not (yes or dry_run):
        preview = _run_import(partial(import_contacts, sync=sync, dry_run=True), file, "preview", as_json)
        click.echo(f"Preview: {preview.sync.human()}", err=True)
        if not click.confirm("Apply this sync?", err=True):
            raise click.ClickException("nothing written")
    importer = partial(import_contacts, sync=sync, dry_run=dry_run)
    summary = _run_import(importer, file, "contacts", as_json)
    if errors_file is not None:
        write_errors_file(summary, errors_file)
    if not dry_run:
        for office_id in sorted(summary.offices):
            record_import(office_id, f"cli:{_os_user()}", file.name, summary)
        db.session.commit()
    _report(summary, CONTACT_OUTCOMES, as_json)


def _os_user() -> str:
    """Who ran the command, as the machine knows them (for the personal-data log)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def write_errors_file(summary: ImportSummary, path: Path) -> None:
    """Write rejected rows as CSV: the original columns, then line, field and reason."""
    path.write_text(errors_csv(summary), encoding="utf-8-sig")


@demo_cli.command("seed")
@click.option("--scale", type=click.Choice(SCALES), default="demo", show_default=True,
              help="demo: up to 8 schools of each level in one district office; "
                   "seoul: every school, ~800,000 people.")
@click.option("--seed", type=int, default=20240828, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when people are already loaded.")
def demo_seed(scale: str, seed: int, if_empty: bool) -> None:
    """Load the real Seoul school list and a deterministic synthetic directory of people."""
    if not directory_is_empty():
        if if_empty:
            click.echo("The directory already holds people; nothing seeded.")
            return
        raise click.ClickException("the directory already holds people; seed an empty database")
    data_dir = Path(current_app.config["SCHOOL_DATA_DIR"])
    if not data_dir.is_dir():
        raise click.ClickException(f"school data folder not found: {data_dir} (SCHOOL_DATA_DIR)")
    report = seed_demo(data_dir, scale=scale, seed=seed)
    click.echo(f"Seeded {report.schools:,} schools: {report.contacts:,} people, "
               f"{report.memberships:,} memberships.")


def register_directory_commands(app: Flask) -> None:
    """Add the directory's command groups to the app's CLI."""
    for group in (schools_cli, contacts_cli, demo_cli):
        app.cli.add_command(group)
