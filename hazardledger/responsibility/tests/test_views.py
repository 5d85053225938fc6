"""The responsibility app's pages, as each persona sees them: the list and its editing, the
three lines of responsibility and the escalation on a hazard's page, the work queue's
"Escalated to us" and "Urged", urging, ordering enforcement, listing, and the accountability
view with its export."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.audit.models import AuditEvent
from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.models import HazardEvent
from hazardledger.notifications.models import Notice
from hazardledger.responsibility.models import (
    Escalation,
    EscalationDecision,
    EscalationStep,
    ResponsibilityEntry,
)
from hazardledger.supervision.services.listings import ListingProposal, listing_create

from .conftest import SECTOR, committed
from .test_escalation import START, at, recorded, tick

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def entry_form(**changes: str) -> dict[str, str]:
    form = {
        "region": "440106002",
        "sector": SECTOR,
        "lead_department": "",
        "escalates_to": "",
        "note": "",
        "officials-TOTAL_FORMS": "3",
        "officials-INITIAL_FORMS": "0",
        "officials-MIN_NUM_FORMS": "0",
        "officials-MAX_NUM_FORMS": "20",
        "officials-0-side": "party",
        "officials-0-name": "何书记",
        "officials-0-post": "街道党工委书记",
        "officials-0-phone": "020-87001111",
        "officials-1-side": "government",
        "officials-1-username": "auditor",
        "officials-1-post": "副市长（挂点）",
        "officials-2-side": "",
    }
    form.update(changes)
    return form


def escalated_to_city(chain, users, grade=HazardGrade.MAJOR):
    """A hazard of enterprise A at Wushan, 8 days late: escalated to the county and the city
    (major: county at 4, city at 8)."""
    deadline = START + timedelta(days=5)
    hazard = recorded(chain, users, grade, deadline)
    tick(deadline + timedelta(days=8))
    return hazard, at(deadline + timedelta(days=8))


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_entries_in_scope(client, users, chain):
    client.force_login(users.manager_a)
    response = client.get(reverse("responsibility:entry-list"))
    assert response.status_code == 200
    regions = {entry.region_id for entry in response.context["page_obj"]}
    assert regions == {"440106001", "440106", "4401"}  # not the province's
    assert "周局长" in response.content.decode()
    filtered = client.get(reverse("responsibility:entry-list"), {"region": "440106"})
    assert {e.region_id for e in filtered.context["page_obj"]} == {"440106001", "440106"}


def test_an_enterprise_has_no_list(client, users, chain):
    client.force_login(users.officer_a)
    assert client.get(reverse("responsibility:entry-list")).status_code == 403


def test_an_office_adds_an_entry_with_officials(client, users, chain):
    client.force_login(users.manager_a)
    form = entry_form(lead_department=str(chain.th_em.pk))
    with committed():
        response = client.post(reverse("responsibility:entry-add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ResponsibilityEntry.objects.get(region_id="440106002", sector_id=SECTOR)
    officials = list(entry.officials.order_by("position"))
    assert [(o.side, o.name, o.post, o.user_id) for o in officials] == [
        ("party", "何书记", "街道党工委书记", None),
        ("government", users.auditor.display_name, "副市长（挂点）", users.auditor.pk),
    ]
    assert entry.lead_department == chain.th_em
    assert AuditEvent.objects.filter(action="responsibility.entry.create").count() == 1


def test_an_office_cannot_add_an_entry_outside_its_area(client, users, chain):
    client.force_login(users.manager_a)
    response = client.post(reverse("responsibility:entry-add"), entry_form(region="440305001"))
    assert response.status_code == 200
    assert "outside your area" in response.content.decode()
    assert not ResponsibilityEntry.objects.filter(region_id="440305001").exists()


def test_a_department_of_another_sector_cannot_lead(client, users, chain):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("responsibility:entry-add"),
        entry_form(sector="road_traffic", lead_department=str(chain.th_em.pk)),
    )
    assert "does not supervise the sector" in response.content.decode()
    assert not ResponsibilityEntry.objects.filter(region_id="440106002").exists()


def test_a_stale_edit_is_refused(client, users, chain):
    client.force_login(users.manager_a)
    entry = chain.entries.tianhe
    url = reverse("responsibility:entry-edit", args=[entry.pk])
    page = client.get(url)
    assert page.status_code == 200 and "孙书记" in page.content.decode()
    ResponsibilityEntry.objects.filter(pk=entry.pk).update(version=entry.version + 1)
    form = entry_form(region="440106", version=str(entry.version))
    response = client.post(url, form)
    assert response.status_code == 409
    assert ResponsibilityEntry.objects.get(pk=entry.pk).officials.filter(name="孙书记").exists()


def test_an_office_overrides_the_chain_and_the_hazard_follows_it(client, users, chain):
    """Wushan reports straight to the city: its county step goes to Guangzhou."""
    client.force_login(users.manager_a)
    entry = chain.entries.wushan
    response = client.post(
        reverse("responsibility:entry-edit", args=[entry.pk]),
        entry_form(
            region="440106001",
            escalates_to="4401",
            lead_department=str(chain.th_em.pk),
            version=str(entry.version),
        ),
    )
    assert response.status_code == 302
    hazard, _day = escalated_to_city(chain, users)
    assert list(
        EscalationStep.objects.filter(hazard=hazard).order_by("pk").values_list("step", "region_id")
    ) == [("due", "440106001"), ("county", "4401"), ("city", "4401")]


def test_an_office_deletes_an_entry(client, users, chain):
    client.force_login(users.manager_a)
    entry = chain.entries.wushan
    assert client.get(reverse("responsibility:entry-delete", args=[entry.pk])).status_code == 405
    response = client.post(reverse("responsibility:entry-delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not ResponsibilityEntry.objects.filter(pk=entry.pk).exists()


def test_the_export_imports_back(client, users, chain):
    client.force_login(users.manager_a)
    response = client.get(reverse("responsibility:entry-export"), {"region": "440106"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[0] == "Division code" and len(data) == 2
    # Rename Tianhe's party secretary, then import the file back.
    column = header.index("Party official")
    edited = [list(row) for row in data]
    for row in edited:
        if row[0] == "440106":
            row[column] = "孙新书记"
    out = io.BytesIO()
    sheet_book = __import__("openpyxl").Workbook()
    sheet = sheet_book.active
    sheet.append(list(header))
    for row in edited:
        sheet.append(row)
    sheet_book.save(out)
    out.seek(0)
    out.name = "list.xlsx"
    response = client.post(reverse("responsibility:entry-import"), {"file": out})
    assert response.status_code == 302, response.content.decode()[-3000:]
    tianhe = ResponsibilityEntry.objects.get(pk=chain.entries.tianhe.pk)
    assert tianhe.officials.filter(side="party").get().name == "孙新书记"
    assert tianhe.officials.get(side="government").user == chain.th_leader
    assert tianhe.version == 2
    assert ResponsibilityEntry.objects.count() == 4  # updated, none added


def test_an_import_with_a_bad_row_writes_nothing(client, users, chain):
    client.force_login(users.manager_a)
    csv = (
        "行政区划代码,行业领域,党委负责人,党委负责人职务,政府负责人,政府负责人职务,政府负责人电话\n"
        "440106003,危险化学品,甲,书记,乙；丙,主任；副主任,020-1；020-2\n"
        "440106004,不存在的行业,甲,书记,乙,主任,\n"
        "440305001,危险化学品,甲,书记,乙,主任,\n"
        "440106005,危险化学品,甲,书记,乙；丙,主任,\n"
    ).encode()
    upload = io.BytesIO(csv)
    upload.name = "list.csv"
    response = client.post(reverse("responsibility:entry-import"), {"file": upload})
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert [(e.row, e.message) for e in errors] == [
        (3, "Unknown sector."),
        (4, "This division is outside your area."),
        (5, "Give as many names, posts, phones and usernames, separated by “；”."),
    ]
    assert not ResponsibilityEntry.objects.filter(region_id="440106003").exists()


def test_the_import_template_downloads(client, users, chain):
    client.force_login(users.manager_a)
    response = client.get(reverse("responsibility:entry-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- the hazard's page ------------------------------------------------------------------------


def test_every_hazard_page_shows_the_three_lines(client, users, chain):
    hazard = recorded(chain, users, HazardGrade.GENERAL, START + timedelta(days=30))
    client.force_login(users.officer_a)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert 'data-testid="responsibility-lines"' in page
    for name in ("赵书记", "孙书记", "李区长", "吴书记", "郑市长"):  # territorial
        assert name in page
    assert "天河区应急管理局" in page and "周局长" in page  # the regulator and its leader
    assert users.principal_a.display_name in page  # the enterprise's principal
    assert 'data-testid="hazard-escalation"' not in page  # nothing escalated yet


def test_escalated_to_us_urge_and_the_urged_queue(client, users, chain):
    hazard, day = escalated_to_city(chain, users)
    with time_machine.travel(day + timedelta(hours=10), tick=False):
        client.force_login(users.manager_a)
        queue = client.get(reverse("hazards:hazard-queue"))
        sections = {s.key: s for s in queue.context["sections"]}
        assert [h.pk for h in sections["escalated"].hazards] == [hazard.pk]
        assert "Rectification overdue 8 days · Escalated to the city" in queue.content.decode()
        page = client.get(hazard.get_absolute_url()).content.decode()
        assert 'data-testid="urge-form"' in page and 'data-testid="escalation-list"' in page
        with committed():
            response = client.post(
                reverse("responsibility:hazard-urge", args=[hazard.pk]),
                {"message": "请三日内报送整改进展", "version": str(hazard.version)},
            )
        assert response.status_code == 302
        urge = HazardEvent.objects.get(hazard=hazard, action="urge")
        assert urge.data == {"message": "请三日内报送整改进展", "region_code": "4401"}
        step = EscalationStep.objects.get(hazard=hazard, step="city")
        assert (step.acted_kind, step.acted_by_name) == (
            "urge",
            "广州市安委办 · " + users.manager_a.display_name,
        )
        # The county's step was not the city's to answer.
        assert EscalationStep.objects.get(hazard=hazard, step="county").acted_at is None

        client.force_login(users.officer_a)
        queue = client.get(reverse("hazards:hazard-queue"))
        sections = {s.key: s for s in queue.context["sections"]}
        assert [h.pk for h in sections["urged"].hazards] == [hazard.pk]
        assert "请三日内报送整改进展" in queue.content.decode()
        assert "escalated" not in sections  # an enterprise is no level
        assert Notice.objects.filter(user=users.officer_a, kind="responsibility.urged").exists()
        bell = client.get(reverse("notifications:notice-list")).content.decode()
        assert "请三日内报送整改进展" in bell


def test_only_a_level_the_hazard_reached_urges(client, users, chain):
    deadline = START + timedelta(days=5)
    hazard = recorded(chain, users, HazardGrade.GENERAL, deadline)
    tick(deadline + timedelta(days=2))  # only the due step: no level reached yet
    with time_machine.travel(at(deadline + timedelta(days=2), 18), tick=False):
        client.force_login(users.manager_a)
        response = client.post(
            reverse("responsibility:hazard-urge", args=[hazard.pk]),
            {"message": "请整改", "version": str(hazard.version)},
        )
        assert response.status_code == 409
        assert "Only a level the hazard was escalated to" in response.content.decode()
        client.force_login(users.officer_a)
        response = client.post(
            reverse("responsibility:hazard-urge", args=[hazard.pk]),
            {"message": "请整改", "version": str(hazard.version)},
        )
        assert response.status_code == 403
    assert not HazardEvent.objects.filter(action="urge").exists()


def test_a_level_orders_enforcement(client, users, chain):
    hazard, day = escalated_to_city(chain, users)
    with time_machine.travel(day + timedelta(hours=3), tick=False):
        client.force_login(chain.th_office)
        response = client.post(
            reverse("responsibility:hazard-decide", args=[hazard.pk]),
            {"note": "逾期未整改，依法立案查处"},
        )
    assert response.status_code == 302
    decision = EscalationDecision.objects.get()
    assert (decision.region_id, decision.body, decision.status) == (
        "440106",
        chain.th_office_org,
        "recorded",
    )
    step = EscalationStep.objects.get(hazard=hazard, step="county")
    assert step.acted_kind == "decision"
    assert round(step.response_hours, 1) == 3.0
    assert AuditEvent.objects.filter(action="responsibility.decision.create").exists()


def test_listing_the_hazard_is_the_levels_action(users, chain):
    hazard, day = escalated_to_city(chain, users)
    with time_machine.travel(day + timedelta(hours=5), tick=False), committed():
        listing_create(
            actor=users.manager_a,
            hazard=hazard,
            proposal=ListingProposal(
                required_by=day.date() + timedelta(days=30),
                stop="part",
                officials=({"name": "郑市长", "post": "副市长"},),
                grounds="逾期未整改的重大事故隐患",
            ),
            document_number="穗安委办督〔2026〕9号",
        )
    step = EscalationStep.objects.get(hazard=hazard, step="city")
    assert step.acted_kind == "listing"
    assert round(step.response_hours) == 5
    # Listing moved the deadline: the hazard starts a new track, off the "escalated" queue.
    assert Escalation.objects.get(pk=hazard.pk).basis_on == day.date() + timedelta(days=30)


# --- accountability ---------------------------------------------------------------------------


def test_the_accountability_view_and_its_export(client, users, chain):
    hazard, day = escalated_to_city(chain, users)
    with time_machine.travel(day + timedelta(hours=6), tick=False):
        client.force_login(users.manager_a)
        with committed():
            client.post(
                reverse("responsibility:hazard-urge", args=[hazard.pk]),
                {"message": "请立即整改", "version": str(hazard.version)},
            )
        period = {
            "start": (day.date() - timedelta(days=30)).isoformat(),
            "end": day.date().isoformat(),
        }
        response = client.get(reverse("responsibility:accountability"), period)
        assert response.status_code == 200
        rows = {(r.region_code, r.department): r for r in response.context["report"].rows}
        city = rows[("4401", "广州市应急管理局")]
        assert (city.counts, city.acted, city.waiting, city.median_hours) == (
            {"city": 1},
            1,
            0,
            6.0,
        )
        assert "郑市长（副市长）" in city.officials
        county = rows[("440106", "天河区应急管理局")]
        assert county.counts == {"due": 1, "county": 1} and county.waiting == 2
        export = client.get(reverse("responsibility:accountability-export"), period)
        sheet = load_workbook(io.BytesIO(export.content)).active
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][:3] == ("Division code", "Level", "Lead department")
        assert ("4401", "广州市", "广州市应急管理局") in [row[:3] for row in values[1:]]
        steps = client.get(
            reverse("responsibility:accountability-export"), {**period, "rows": "steps"}
        )
        step_rows = list(
            load_workbook(io.BytesIO(steps.content)).active.iter_rows(values_only=True)
        )
        assert len(step_rows) == 1 + 3  # due, county, city (reminders aside)
    client.force_login(users.inspector_a)
    assert client.get(reverse("responsibility:accountability")).status_code == 403
