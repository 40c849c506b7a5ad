"""Drills: marked in the console, labelled in every message, sent only to the office's drill group
(its staff and the people it designated), shown as drills, and left out of the office's figures."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from schoolbell.accounts.models import UserRole
from schoolbell.alerts.audience import DrillGroupMember, mode_of
from schoolbell.alerts.models import Alert, Delivery
from schoolbell.directory.erasure import erase_contacts
from schoolbell.extensions import db
from tests import factories
from tests.factories import make_user, post_form, sign_in

FORM = {"alert_class": "emergency", "title_ko": "대피 훈련", "body_ko": "훈련 상황입니다.",
        "title_en": "Evacuation", "body_en": "This is an exercise.", "role": ["guardian", "staff"]}


@pytest.fixture
def office(app, client, runner):
    school = factories.school("7700001")
    parents = [factories.person((school, "guardian", 1, "1"), email=None) for _ in range(3)]
    staff = factories.person((school, "staff", 0, ""), email="office@sen.example", phone=None)
    make_user("office@sen.example", UserRole.OFFICE)
    db.session.commit()
    result = runner.invoke(args=["drills", "add", "B10", parents[0].phone])
    assert result.exit_code == 0, result.output
    sign_in(client, "office@sen.example")
    return {"parents": parents, "staff": staff}


def test_a_drill_reaches_only_the_drill_group_and_says_so(client, office):
    answer = post_form(client, "/console/alerts/new", {**FORM, "drill": "y"})
    alert = db.session.scalars(select(Alert)).one()
    assert answer.status_code == 302 and mode_of(alert.id) == "exercise"
    assert alert.title_ko == "[훈련] 대피 훈련" and alert.title_en == "[Drill] Evacuation"
    post_form(client, f"/console/alerts/{alert.id}/send", page=f"/console/alerts/{alert.id}")
    reached = set(db.session.scalars(select(Delivery.contact_id)))
    # The designated parent and the office's staff member; the other two parents get nothing.
    assert reached == {office["parents"][0].id, office["staff"].id}


def test_the_dashboard_shows_a_drill_and_leaves_it_out_of_the_figures(client, office):
    post_form(client, "/console/alerts/new", {**FORM, "title_ko": "실제 안내", "title_en": "Real"})
    real = db.session.scalars(select(Alert)).one()
    post_form(client, f"/console/alerts/{real.id}/send", page=f"/console/alerts/{real.id}")
    post_form(client, "/console/alerts/new", {**FORM, "drill": "y"})
    drill = db.session.scalars(select(Alert).where(Alert.id != real.id)).one()
    post_form(client, f"/console/alerts/{drill.id}/send", page=f"/console/alerts/{drill.id}")
    page = client.get("/console/?lang=ko").get_data(as_text=True)
    figures = page[page.index('class="sb-figures office-figures"'):page.index("</dl>")]
    assert "<dd>1</dd>" in figures  # one alert sent: the drill is not counted
    assert "<dd>4</dd>" in figures  # its 4 messages (3 parents, 1 staff email), not the drill's 2
    rows = re.findall(r"<tr>\s*<td data-label.*?</tr>", page, flags=re.S)
    drill_row = next(row for row in rows if "[훈련] 대피 훈련" in row)
    assert 'outline-gray">훈련</span>' in drill_row  # marked as a drill beside its kind
    assert 'outline-gray"' not in next(row for row in rows if "실제 안내" in row)


def test_an_edited_drill_stays_a_drill_labelled_once(client, office):
    post_form(client, "/console/alerts/new", {**FORM, "drill": "y"})
    alert = db.session.scalars(select(Alert)).one()
    post_form(client, f"/console/alerts/{alert.id}/edit", {**FORM, "title_ko": "[훈련] 대피 훈련 2"},
              page=f"/console/alerts/{alert.id}/edit")
    db.session.expire_all()
    assert alert.title_ko == "[훈련] 대피 훈련 2" and alert.title_en == "[Drill] Evacuation"
    assert mode_of(alert.id) == "exercise"


def test_the_drill_group_by_command_and_an_erased_person_leaves_it(app, runner, office):
    listed = runner.invoke(args=["drills", "list", "B10"])
    assert f"#{office['parents'][0].id}" in listed.output and office["parents"][0].phone not in listed.output
    refused = runner.invoke(args=["drills", "add", "B10", "010-0000-0000"])
    assert refused.exit_code != 0 and "no person of this office" in refused.output
    erase_contacts([office["parents"][0].id])
    db.session.commit()
    assert db.session.scalar(select(DrillGroupMember)) is None


def test_an_office_administrator_adds_a_person_to_the_drill_group_on_their_page(client, office):
    parent = office["parents"][1]
    page = f"/console/directory/people/{parent.id}"
    assert "훈련 대상에 추가" in client.get(f"{page}?lang=ko").get_data(as_text=True)
    post_form(client, f"{page}/drill-group", {"member": "yes"}, page=page)
    assert db.session.get(DrillGroupMember, parent.id) is not None
    assert "훈련 대상에서 빼기" in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}/drill-group", {"member": "no"}, page=page)
    assert db.session.get(DrillGroupMember, parent.id) is None
