"""Imports in the browser's forms: checked first (what would change, the sync's leavers, every bad row
with a downloadable, Excel-safe errors CSV), written only when confirmed, within the importer's scope."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from schoolbell.accounts.models import UserRole
from schoolbell.directory.audit import PersonalDataEvent
from schoolbell.directory.contact_import import import_contacts
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from tests import factories
from tests.factories import csrf_token, make_user, sign_in

HEADER = "school_code,role,grade,class,name,phone,email\n"


@pytest.fixture
def school(app, tmp_path):
    first, _second = factories.school("7000001"), factories.school("7000002")
    make_user("office@sen.example", UserRole.OFFICE)
    make_user("admin@first.example", UserRole.SCHOOL_ADMIN, school=first)
    before = tmp_path / "before.csv"
    before.write_text(HEADER + "7000001,guardian,1,1,떠날가족,010-2000-0001,\n"
                               "7000001,guardian,1,1,남을가족,010-2000-0002,\n", encoding="utf-8")
    import_contacts(before)
    return first


def upload(client, app, text: str, **form):
    token = csrf_token(client, "/console/imports/")
    data = {"csrf_token": token, "kind": "contacts", "sync": "", **form,
            "file": (io.BytesIO(text.encode("utf-8")), "roster.csv")}
    response = client.post("/console/imports/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    path = response.headers["Location"]
    for thread in app.extensions["schoolbell.import_threads"].values():
        thread.join(timeout=30)
    return path


def names() -> set[str]:
    return set(db.session.scalars(select(Contact.name)))


def test_a_sync_is_previewed_with_its_counts_and_written_only_when_confirmed(client, app, school):
    sign_in(client, "admin@first.example")
    rows = (HEADER + "7000001,guardian,1,1,남을가족,010-2000-0002,\n"
                     "7000001,guardian,1,2,새가족,010-2000-0003,\n")
    path = upload(client, app, rows, sync="school")
    preview = client.get(path + "?lang=en").get_data(as_text=True)
    assert "1 new, 0 changed, 1 leave" in preview
    assert names() == {"떠날가족", "남을가족"}  # nothing written yet
    client.post(path + "/apply", data={"csrf_token": csrf_token(client, path)})
    for thread in app.extensions["schoolbell.import_threads"].values():
        thread.join(timeout=30)
    done = client.get(path + "?lang=en").get_data(as_text=True)
    assert "Imported." in done
    db.session.expire_all()
    assert names() == {"남을가족", "새가족"}
    # The uploaded copy holds personal data: once written it is gone.
    assert not list((Path(app.instance_path) / "imports").glob("*.csv"))
    event = db.session.scalar(select(PersonalDataEvent).where(PersonalDataEvent.action == "import"))
    assert event.actor == "admin@first.example" and event.detail["left"] == 1


def test_bad_rows_are_listed_and_downloadable_excel_safe(client, app, school):
    sign_in(client, "admin@first.example")
    rows = (HEADER + "7000001,guardian,1,1,=HYPERLINK(\"x\"),02-123,\n"
                     "7000002,guardian,1,1,다른학교,010-2000-0009,\n")
    path = upload(client, app, rows)
    page = client.get(path + "?lang=en").get_data(as_text=True)
    assert "not a school you manage" in page  # another school of the office: not a school admin's
    errors = client.get(path + "/errors.csv")
    text = errors.get_data(as_text=True)
    assert errors.status_code == 200 and "error_reason" in text and "'=HYPERLINK" in text
    assert text.count("\n") == 3  # the header and the two rejected rows


def test_a_file_refused_whole_says_why(client, app, school):
    sign_in(client, "office@sen.example")
    path = upload(client, app, "just,some,words\n1,2,3\n")
    assert "missing columns" in client.get(path + "?lang=en").get_data(as_text=True)


def test_an_import_is_its_importers_alone(client, app, school):
    sign_in(client, "admin@first.example")
    path = upload(client, app, HEADER + "7000001,guardian,1,1,남을가족,010-2000-0002,\n")
    other = app.test_client()
    sign_in(other, "office@sen.example")
    assert other.get(path).status_code == 404
    assert other.get(path + "/errors.csv").status_code == 404


def test_uploads_are_forgotten_after_a_day(client, app, school, time_machine):
    time_machine.move_to("2026-12-01T09:00+09:00", tick=False)
    sign_in(client, "admin@first.example")
    path = upload(client, app, HEADER + "7000001,guardian,1,1,남을가족,010-2000-0002,\n")
    time_machine.move_to("2026-12-02T09:01+09:00", tick=False)
    upload(client, app, HEADER + "7000001,guardian,1,1,남을가족,010-2000-0002,\n")
    assert client.get(path).status_code == 404
    assert len(list((Path(app.instance_path) / "imports").glob("*.csv"))) == 1


def test_a_long_file_shows_its_progress_until_done(client, app, school):
    import json

    sign_in(client, "admin@first.example")
    path = upload(client, app, HEADER + "7000001,guardian,1,1,남을가족,010-2000-0002,\n")
    state_file = Path(app.instance_path) / "imports" / f"{path.rsplit('/', 1)[1]}.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state.update(state="running", rows_done=12000, rows_total=48000)  # as a long check is, midway
    state_file.write_text(json.dumps(state), encoding="utf-8")
    page = client.get(path + "?lang=en").get_data(as_text=True)
    assert '<progress class="sb-progress" max="48000" value="12000"' in page
    assert 'http-equiv="refresh"' in page and "12,000 of about 48,000 rows" in page


def test_an_office_imports_a_neis_school_file_after_seeing_its_counts(client, app, school, school_data):
    from schoolbell.directory.models import School

    sign_in(client, "office@sen.example")
    token = csrf_token(client, "/console/imports/")
    raw = (school_data / "neis_schoolinfo_seoul_2022-07-31.csv").read_bytes()
    response = client.post("/console/imports/", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "schools", "sync": "", "file": (io.BytesIO(raw), "neis.csv")})
    path = response.headers["Location"]
    for thread in app.extensions["schoolbell.import_threads"].values():
        thread.join(timeout=60)
    preview = client.get(path + "?lang=en").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(School)) == 2  # nothing written yet
    created = int(re.search(r'class="sb-new">([\d,]+)<', preview).group(1).replace(",", ""))
    assert created > 1000
    client.post(path + "/apply", data={"csrf_token": csrf_token(client, path)})
    for thread in app.extensions["schoolbell.import_threads"].values():
        thread.join(timeout=60)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(School)) == 2 + created


def test_a_school_administrator_cannot_import_schools(client, app, school):
    sign_in(client, "admin@first.example")
    token = csrf_token(client, "/console/imports/")
    response = client.post("/console/imports/", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "schools", "file": (io.BytesIO(b"a,b\n1,2\n"), "neis.csv")})
    assert response.status_code == 400


def test_the_school_page_leads_to_a_roster_sync(client, school):
    sign_in(client, "admin@first.example")
    page = client.get("/console/directory/schools/7000001").get_data(as_text=True)
    link = re.search(r'href="(/console/imports/\?sync=school)"', page).group(1)
    form = client.get(link).get_data(as_text=True)
    assert re.search(r'id="sync-school" name="sync" value="school" checked', form)
