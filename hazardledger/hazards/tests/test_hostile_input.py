"""Hostile input on the hazard pages: ids no row can have in the query string, control
characters in every form, and an export link that always carries the list's filters."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.urls import reverse

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.hazards.choices import HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard, QuickReport

from .factories import png_upload, record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Beyond a signed 64-bit integer (and its negative), just beyond, and a digit int() refuses.
BAD_IDS = ["99999999999999999999", "-99999999999999999999", "9223372036854775808", "²"]


@pytest.fixture
def people(users, orgs):
    users.worker_a = UserFactory(
        username="worker_a", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a
    )
    return users


@pytest.fixture
def general(people, sites):
    return record(sites.plant_a, people.officer_a)


# --- ids in the query string ------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("name", ["hazards:hazard-list", "hazards:hazard-export"])
def test_an_impossible_site_id_is_an_invalid_filter_not_a_500(client, people, general, name, bad):
    client.force_login(people.manager_a)
    response = client.get(reverse(name), {"site": bad})
    assert response.status_code == 200


def test_the_largest_possible_site_id_is_a_valid_filter_that_matches_nothing(
    client, people, general
):
    client.force_login(people.manager_a)
    response = client.get(reverse("hazards:hazard-list"), {"site": str(2**63 - 1)})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []


@pytest.mark.parametrize("bad", BAD_IDS)
def test_duplicates_fragment_with_an_impossible_site_id(client, people, general, bad):
    client.force_login(people.officer_a)
    response = client.get(
        reverse("hazards:hazard-duplicates"),
        {"site": bad, "description": "可燃气体报警器失效"},
    )
    assert response.status_code == 200
    assert response.context["duplicates"] == []


@pytest.mark.parametrize("bad", BAD_IDS)
def test_record_page_with_an_impossible_site_id_offers_the_site_choice(client, people, bad):
    client.force_login(people.officer_a)
    response = client.get(reverse("hazards:hazard-add"), {"site": bad})
    assert response.status_code == 200
    assert response.context["site"] is None


@pytest.mark.parametrize("text", ["#99999999999999999999", "99999999999999999999", "²", "#²"])
def test_searching_an_impossible_hazard_number(client, people, general, text):
    client.force_login(people.manager_a)
    response = client.get(reverse("hazards:hazard-list"), {"q": text})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []


def test_searching_a_hazard_number_still_finds_it(client, people, general):
    client.force_login(people.manager_a)
    response = client.get(reverse("hazards:hazard-list"), {"q": f"#{general.pk}"})
    assert list(response.context["object_list"]) == [general]


def test_voiding_as_a_duplicate_of_an_impossible_number_is_a_form_error(client, people, general):
    client.force_login(people.inspector_a)
    response = client.post(
        reverse("hazards:hazard-act", args=[general.pk, "void"]),
        {
            "void-version": general.version,
            "void-void_reason": "duplicate",
            "void-duplicate_of": "99999999999999999999",
            "void-comment": "重复",
        },
    )
    assert response.status_code == 200
    form = response.context["action_forms"]
    errors = {action: f.errors for action, _, f in form if f.is_bound}
    assert "duplicate_of" in errors["void"]
    assert Hazard.objects.get(pk=general.pk).status == HazardStatus.RECORDED


# --- control characters in forms --------------------------------------------------------------


def _record_post(site, **extra):
    data = {
        "site": site.pk,
        "location": "2号储罐区",
        "description": "储罐区可燃气体报警器失效，未及时修复",
        "category": "equipment",
        "grade": "general",
        "source": "self_inspection",
        "found_on": local_today().isoformat(),
    }
    data.update(extra)
    return data


def test_recording_a_hazard_refuses_control_characters(client, people, sites):
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-add"),
        _record_post(
            sites.plant_a,
            description="报警器\x01失效\x1b[31m",
            location="2号罐\x07",
            found_by_name="张\x9b",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"description", "location", "found_by_name"}
    assert "invisible control characters (U+0001, U+001B)" in errors["description"][0]
    assert "U+0007" in errors["location"][0]
    assert "U+009B" in errors["found_by_name"][0]
    assert "invisible control characters" in response.content.decode()
    assert not Hazard.objects.exists()


def test_a_multi_line_description_keeps_its_line_breaks_and_tabs(client, people, sites):
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-add"),
        _record_post(sites.plant_a, description="报警器失效\r\n\t1. 未修复\n2. 未报告"),
    )
    assert response.status_code == 302
    assert Hazard.objects.get().description == "报警器失效\r\n\t1. 未修复\n2. 未报告"


def test_a_single_line_field_refuses_line_breaks_and_tabs(client, people, sites):
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-add"), _record_post(sites.plant_a, location="2号\t储罐\n区")
    )
    assert response.status_code == 200
    assert "U+0009, U+000A" in response.context["form"].errors["location"][0]
    assert not Hazard.objects.exists()


def test_quick_report_refuses_control_characters(client, people, sites):
    client.force_login(people.worker_a)
    response = client.post(
        reverse("hazards:report-add"),
        {
            "site": sites.plant_a.pk,
            "description": "3号泵漏油\x00",
            "location": "泵房\x1b",
            "files": [png_upload()],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"description", "location"}
    assert errors["description"] == [
        "This text contains invisible control characters (U+0000). Remove them."
    ]
    assert not QuickReport.objects.exists()


def test_workflow_action_refuses_control_characters(client, people, general):
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-act", args=[general.pk, "plan"]),
        {
            "plan-version": general.version,
            "plan-responsible_person": "张工\x02",
            "plan-measures": "更换报警器\x1b",
            "plan-funds": "5000",
            "plan-deadline": (local_today() + timedelta(days=20)).isoformat(),
            "plan-comment": "备注\x7f",
        },
    )
    assert response.status_code == 200
    form = next(f for action, _, f in response.context["action_forms"] if action == "plan")
    assert set(form.errors) == {"responsible_person", "measures", "comment"}
    hazard = Hazard.objects.get(pk=general.pk)
    assert hazard.status == HazardStatus.RECORDED and hazard.version == general.version


def test_triage_and_rejection_refuse_control_characters(client, people, sites):
    client.force_login(people.worker_a)
    client.post(
        reverse("hazards:report-add"),
        {"site": sites.plant_a.pk, "description": "3号泵漏油", "files": [png_upload()]},
    )
    report = QuickReport.objects.get()
    before = (report.status, report.version)
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:report-accept", args=[report.pk]),
        {
            "version": report.version,
            "location": "3号\x0b泵",
            "description": "3号泵漏油",
            "category": "equipment",
            "grade": "general",
            "source": "self_inspection",
            "found_on": local_today().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "U+000B" in response.context["triage_form"].errors["location"][0]
    response = client.post(
        reverse("hazards:report-reject", args=[report.pk]),
        {"version": report.version, "reason": "不是隐患\x1c说明"},
    )
    assert response.status_code == 200
    assert "U+001C" in response.context["reject_form"].errors["reason"][0]
    report.refresh_from_db()
    assert (report.status, report.version) == before
    assert not Hazard.objects.exists()


# --- the export link follows the filters ------------------------------------------------------


def _export_query(content: str, url_name: str) -> dict[str, list[str]]:
    """The query of the one export link in ``content``."""
    links = re.findall(r'id="export-link" href="([^"]*)"', content)
    assert len(links) == 1, links
    href = links[0].replace("&amp;", "&")
    assert urlsplit(href).path == reverse(url_name)
    return parse_qs(urlsplit(href).query)


def test_the_filtered_results_fragment_carries_the_export_link_with_its_filters(
    client, people, sites
):
    client.force_login(people.manager_a)
    response = client.get(
        reverse("hazards:hazard-list"),
        {"grade": "major", "region": "440112", "status": "open", "page": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.templates[0].name == "hazards/partials/_hazard_results.html"
    query = _export_query(response.content.decode(), "hazards:hazard-export")
    assert query == {"grade": ["major"], "region": ["440112"], "status": ["open"]}


def test_the_full_page_has_one_export_link_with_its_filters(client, people, sites):
    client.force_login(people.manager_a)
    response = client.get(reverse("hazards:hazard-list"), {"grade": "general"})
    assert _export_query(response.content.decode(), "hazards:hazard-export") == {
        "grade": ["general"]
    }


def test_no_export_link_for_who_may_not_export(client, people, sites):
    client.force_login(people.worker_a)
    response = client.get(reverse("hazards:hazard-list"), headers={"HX-Request": "true"})
    assert 'id="export-link"' not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"grade": "major"},
        {"region": "440112"},
        {"region": "440113", "grade": "general"},
        {"status": "open", "sort": "deadline"},
        {"q": "报警器"},
        {"site": "99999999999999999999", "grade": "major"},
        {"grade": "no-such-grade", "region": "440112"},
    ],
)
def test_the_export_has_the_rows_the_list_shows(client, people, sites, query):
    record(sites.plant_a, people.officer_a, HazardGrade.MAJOR)
    record(sites.plant_a, people.officer_a, description="消防通道堵塞")
    record(sites.factory_b, people.officer_b, HazardGrade.MAJOR)
    record(sites.factory_b, people.officer_b)
    client.force_login(people.manager_a)
    listed = client.get(reverse("hazards:hazard-list"), query, headers={"HX-Request": "true"})
    shown = [hazard.pk for hazard in listed.context["object_list"]]
    export_query = _export_query(listed.content.decode(), "hazards:hazard-export")
    exported = client.get(reverse("hazards:hazard-export"), export_query)
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("No.", "Hazard number")
    assert [row[1] for row in rows[1:]] == shown
