"""Hazard pages: the scope matrix for every endpoint (anonymous → login, out of scope → 404,
in scope but not allowed → 403, allowed → 200/302, wrong method → 405) and page behaviour."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.forms import ACTION_FORMS
from hazardledger.hazards.models import Hazard, QuickReport
from hazardledger.hazards.workflow import TABLE

from .factories import act, hazard_in_state, png_upload, record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OUT_OF_SCOPE = ["officer_b", "manager_b", "grid"]


@pytest.fixture
def people(users, orgs):
    users.worker_a = UserFactory(
        username="worker_a", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a
    )
    return users


@pytest.fixture
def general(people, sites):
    return record(sites.plant_a, people.officer_a)


@pytest.fixture
def major_submitted(people, sites):
    return hazard_in_state(
        status=HazardStatus.SUBMITTED,
        grade=HazardGrade.MAJOR,
        site=sites.plant_a,
        responsible=people.officer_a,
        regulator=people.inspector_a,
    )


def _plan_post(hazard, **extra):
    data = {
        "plan-version": hazard.version,
        "plan-responsible_person": "张工",
        "plan-measures": "更换报警器",
        "plan-funds": "5000",
        "plan-deadline": (local_today() + timedelta(days=20)).isoformat(),
        "plan-contingency_plan": "停用",
        "plan-governance_programme": "方案",
    }
    data.update(extra)
    return data


def test_anonymous_is_sent_to_login(client, general):
    for url in [
        reverse("hazards:hazard-list"),
        reverse("hazards:hazard-detail", args=[general.pk]),
        reverse("hazards:hazard-add"),
        reverse("hazards:hazard-queue"),
        reverse("hazards:hazard-export"),
        reverse("hazards:report-add"),
        reverse("hazards:report-list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("hazards:hazard-act", args=[general.pk, "plan"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer_a", 200),
        ("principal_a", 200),
        ("worker_a", 200),
        ("inspector_a", 200),
        ("manager_a", 200),
        ("auditor", 200),
        ("admin", 200),
        ("officer_b", 404),
        ("manager_b", 404),
        ("grid", 404),
    ],
)
def test_detail_scope(client, people, general, persona, status):
    client.force_login(getattr(people, persona))
    response = client.get(reverse("hazards:hazard-detail", args=[general.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer_a", 302),
        ("principal_a", 302),
        ("worker_a", 403),
        ("inspector_a", 403),
        ("manager_a", 403),
        ("auditor", 403),
        ("admin", 403),
        ("officer_b", 404),
        ("manager_b", 404),
        ("grid", 404),
    ],
)
def test_plan_action_matrix(client, people, general, persona, status):
    client.force_login(getattr(people, persona))
    response = client.post(
        reverse("hazards:hazard-act", args=[general.pk, "plan"]), _plan_post(general)
    )
    assert response.status_code == status
    hazard = Hazard.objects.get(pk=general.pk)
    expected = HazardStatus.RECTIFYING if status == 302 else HazardStatus.RECORDED
    assert hazard.status == expected
    assert hazard.events.count() == (2 if status == 302 else 1)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("inspector_a", 302),
        ("officer_a", 403),
        ("principal_a", 403),
        ("manager_a", 403),
        ("officer_b", 404),
        ("manager_b", 404),
    ],
)
def test_major_acceptance_matrix(client, people, major_submitted, persona, status):
    client.force_login(getattr(people, persona))
    url = reverse("hazards:hazard-act", args=[major_submitted.pk, "accept"])
    response = client.post(
        url, {"accept-version": major_submitted.version, "accept-comment": "合格"}
    )
    assert response.status_code == status
    expected = HazardStatus.CLOSED if status == 302 else HazardStatus.SUBMITTED
    assert Hazard.objects.get(pk=major_submitted.pk).status == expected


def test_action_rejects_get(client, people, general):
    client.force_login(people.officer_a)
    assert client.get(reverse("hazards:hazard-act", args=[general.pk, "plan"])).status_code == 405


def test_unknown_action_is_404(client, people, general):
    client.force_login(people.officer_a)
    response = client.post(reverse("hazards:hazard-act", args=[general.pk, "delete"]), {})
    assert response.status_code == 404


def test_action_not_possible_now_is_409(client, people, general):
    client.force_login(people.officer_a)
    url = reverse("hazards:hazard-act", args=[general.pk, "accept"])
    response = client.post(url, {"accept-version": general.version})
    assert response.status_code == 409
    assert Hazard.objects.get(pk=general.pk).version == general.version


def test_stale_page_gets_conflict_message_and_nothing_changes(client, people, general):
    stale_version = general.version
    act(general, HazardAction.PLAN, people.principal_a)
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-act", args=[general.pk, "void"]),
        {"void-version": stale_version, "void-void_reason": "error", "void-comment": "录错"},
    )
    assert response.status_code == 409
    assert "Someone else acted on this hazard" in response.content.decode()
    hazard = Hazard.objects.get(pk=general.pk)
    assert hazard.status == HazardStatus.RECTIFYING and hazard.events.count() == 2


def test_bad_input_rerenders_the_form_and_changes_nothing(client, people, general):
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-act", args=[general.pk, "plan"]),
        _plan_post(general, **{"plan-responsible_person": "", "plan-funds": "-1"}),
    )
    assert response.status_code == 200
    form = response.context["action_forms"][0][2]
    assert set(form.errors) == {"responsible_person", "funds"}
    assert Hazard.objects.get(pk=general.pk).version == general.version


# The supervision app's actions (orders, listing) are taken on its own pages, not here.
PAGE_TRANSITIONS = [t for t in TABLE if t.action in ACTION_FORMS]


@pytest.mark.parametrize("transition", PAGE_TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_action_forms_require_what_the_workflow_requires(transition):
    hazard = Hazard(status=transition.source, grade=HazardGrade.GENERAL, version=1)
    form = ACTION_FORMS[transition.action](hazard=hazard)
    assert form.fields["comment"].required is transition.reason_required
    if transition.files_required:
        assert form.fields["files"].required


def test_detail_offers_only_allowed_actions(client, people, major_submitted):
    client.force_login(people.officer_a)
    response = client.get(reverse("hazards:hazard-detail", args=[major_submitted.pk]))
    # Issue 12: the party updates interim measures and records the notice to the workforce
    # while the hazard is open; a regulator may regrade it (orders are the supervision app's).
    assert [a for a, _v, _f in response.context["action_forms"]] == [
        "update_interim",
        "notify_workforce",
    ]
    client.force_login(people.inspector_a)
    response = client.get(reverse("hazards:hazard-detail", args=[major_submitted.pk]))
    assert [a for a, _v, _f in response.context["action_forms"]] == ["accept", "reject", "regrade"]


def test_detail_query_count(client, people, sites, django_assert_max_num_queries):
    """The page reads the pending extension request once for all the moves it offers; panels
    other apps register on the page (core.extensions) may add the queries they declare (one
    unless they say more), no more."""
    from hazardledger.core.extensions import panels_for

    hazard = hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=people.officer_a,
        regulator=people.inspector_a,
        pending_extension=True,
    )
    client.force_login(people.principal_a)
    url = reverse("hazards:hazard-detail", args=[hazard.pk])
    with django_assert_max_num_queries(9 + sum(p.queries for p in panels_for("hazard"))):
        response = client.get(url)
    offered = [a for a, _v, _f in response.context["action_forms"]]
    # Interim measures can be updated while the hazard is open (issue 12).
    assert offered == ["submit", "approve_extension", "refuse_extension", "update_interim"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_a", 200), ("inspector_a", 200), ("grid", 200), ("auditor", 403), ("worker_a", 403)],
)
def test_record_page_permission(client, people, persona, status):
    client.force_login(getattr(people, persona))
    assert client.get(reverse("hazards:hazard-add")).status_code == status


def test_record_out_of_scope_site_is_404(client, people, sites):
    client.force_login(people.officer_a)
    response = client.get(reverse("hazards:hazard-add") + f"?site={sites.factory_b.pk}")
    assert response.status_code == 404


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


def test_record_shows_duplicates_before_saving(client, people, sites, general):
    client.force_login(people.principal_a)
    url = reverse("hazards:hazard-add")
    response = client.post(url, _record_post(sites.plant_a))
    assert response.status_code == 200
    assert [d.hazard.pk for d in response.context["duplicates"]] == [general.pk]
    assert Hazard.objects.count() == 1
    response = client.post(
        url, _record_post(sites.plant_a, not_duplicate="on", files=[png_upload()])
    )
    assert response.status_code == 302
    new = Hazard.objects.exclude(pk=general.pk).get()
    assert new.events.get().data["possible_duplicates"] == [general.pk]
    assert new.evidence.count() == 1


def test_duplicates_fragment(client, people, sites, general):
    client.force_login(people.officer_a)
    response = client.get(
        reverse("hazards:hazard-duplicates"),
        {"site": sites.plant_a.pk, "description": "可燃气体报警器失效"},
    )
    assert f"#{general.pk}" in response.content.decode()


def test_record_major_needs_basis_and_interim_measures(client, people, sites):
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-add"), _record_post(sites.plant_a, grade="major")
    )
    assert response.status_code == 200
    assert {"grade_basis", "interim_measures"} <= set(response.context["form"].errors)
    assert not Hazard.objects.exists()


def test_ledger_filters_and_totals(client, people, sites):
    with time_machine.travel(local_today() - timedelta(days=60)):
        late = hazard_in_state(
            status=HazardStatus.RECTIFYING,
            grade=HazardGrade.GENERAL,
            site=sites.plant_a,
            responsible=people.officer_a,
            regulator=people.inspector_a,
        )
    record(sites.plant_a, people.officer_a, HazardGrade.MAJOR)
    record(sites.factory_b, people.officer_b)
    client.force_login(people.manager_a)
    url = reverse("hazards:hazard-list")
    response = client.get(url)
    assert response.context["paginator"].count == 3
    # Issue 12 adds the review-overdue figure.
    assert response.context["totals"] == {
        "open": 3,
        "overdue": 1,
        "review_overdue": 0,
        "major_open": 1,
        "closed": 0,
    }
    response = client.get(url, {"overdue": "1"})
    assert [h.pk for h in response.context["object_list"]] == [late.pk]
    response = client.get(url, {"grade": "major", "region": "440112"})
    assert response.context["paginator"].count == 1
    response = client.get(url, {"status": "open", "sector": "industry_trade"})
    assert response.context["paginator"].count == 1
    response = client.get(url, {"q": "报警器", "sort": "deadline"})
    assert response.context["paginator"].count == 3
    response = client.get(url, {"region": "4403"})
    assert response.context["paginator"].count == 0


def test_ledger_count_is_bounded(client, people, sites, monkeypatch):
    from hazardledger.hazards import selectors

    monkeypatch.setattr(selectors, "LEDGER_COUNT_CAP", 2)
    for _ in range(3):
        record(sites.plant_a, people.officer_a)
    monkeypatch.setattr("hazardledger.hazards.views.LEDGER_COUNT_CAP", 2)
    monkeypatch.setattr(selectors.bounded_count, "__defaults__", (2,))
    client.force_login(people.officer_a)
    response = client.get(reverse("hazards:hazard-list"))
    assert response.context["capped"] is True and response.context["totals"] is None
    assert "More than 2 hazards match" in response.content.decode()


def test_ledger_list_query_count(client, people, sites, django_assert_max_num_queries):
    record(sites.plant_a, people.officer_a)
    client.force_login(people.manager_a)
    url = reverse("hazards:hazard-list")
    client.get(url)
    with django_assert_max_num_queries(16) as one_row:
        client.get(url)
    for _ in range(5):
        record(sites.plant_a, people.officer_a)
    # No query per row: six rows cost what one did.
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = client.get(url)
    assert response.context["paginator"].count == 6


def test_export_in_ledger_layout(client, people, sites, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the office layout's Chinese headers
    hazard = hazard_in_state(
        status=HazardStatus.CLOSED,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=people.officer_a,
        regulator=people.inspector_a,
        acceptor=people.principal_a,
    )
    client.force_login(people.officer_a)
    response = client.get(reverse("hazards:hazard-export"), {"status": "closed"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:3] == ("序号", "隐患编号", "企业名称")
    assert {"整改措施", "整改资金（元）", "整改责任人", "整改期限", "验收人", "是否销号"} <= set(
        headers
    )
    row = dict(zip(headers, rows[1], strict=True))
    assert row["隐患编号"] == hazard.pk
    assert row["整改责任人"] == "张工" and row["验收人"] == people.principal_a.display_name
    assert row["是否销号"] == "是" and row["隐患等级"] == "一般"


def test_export_permission_and_method(client, people):
    client.force_login(people.worker_a)
    assert client.get(reverse("hazards:hazard-export")).status_code == 403
    client.force_login(people.officer_a)
    assert client.post(reverse("hazards:hazard-export")).status_code == 405


def test_evidence_file_scope(client, people, sites, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # files are stored on commit
        hazard = hazard_in_state(
            status=HazardStatus.FIXED,
            grade=HazardGrade.GENERAL,
            site=sites.plant_a,
            responsible=people.officer_a,
            regulator=people.inspector_a,
        )
    evidence = hazard.evidence.get()
    url = reverse("hazards:evidence-file", args=[evidence.pk])
    client.force_login(people.officer_b)
    assert client.get(url).status_code == 404
    client.force_login(people.inspector_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    thumb = client.get(reverse("hazards:evidence-thumbnail", args=[evidence.pk]))
    assert thumb["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    "persona", ["officer_a", "principal_a", "inspector_a", "manager_a", "grid"]
)
def test_queue_page(client, people, major_submitted, persona):
    client.force_login(getattr(people, persona))
    response = client.get(reverse("hazards:hazard-queue"))
    assert response.status_code == 200
    sections = {s.key: s for s in response.context["sections"]}
    if persona == "inspector_a":
        assert [h.pk for h in sections["to_accept"].hazards] == [major_submitted.pk]
    if persona in ("inspector_a", "manager_a", "officer_a"):
        assert sections["major"].total == 1
    if persona == "grid":
        assert sections["major"].total == 0


def test_new_major_hazard_is_in_the_regulators_queue_at_once(client, people, sites):
    hazard = record(sites.plant_a, people.officer_a, HazardGrade.MAJOR)
    for persona in ("inspector_a", "manager_a"):
        client.force_login(getattr(people, persona))
        sections = {
            s.key: s for s in client.get(reverse("hazards:hazard-queue")).context["sections"]
        }
        assert [h.pk for h in sections["major"].hazards] == [hazard.pk]
    client.force_login(people.manager_b)
    sections = {s.key: s for s in client.get(reverse("hazards:hazard-queue")).context["sections"]}
    assert sections["major"].total == 0


# --- quick reports ----------------------------------------------------------------------------


def test_quick_report_then_triage_into_the_ledger(client, people, sites):
    client.force_login(people.worker_a)
    response = client.post(
        reverse("hazards:report-add"),
        {"site": sites.plant_a.pk, "description": "3号泵漏油", "files": [png_upload()]},
    )
    assert response.status_code == 302
    report = QuickReport.objects.get()
    client.force_login(people.inspector_a)
    url = reverse("hazards:report-accept", args=[report.pk])
    assert client.post(url, {}).status_code == 403
    client.force_login(people.officer_b)
    assert client.post(url, {}).status_code == 404
    client.force_login(people.officer_a)
    response = client.post(
        url,
        {
            "version": report.version,
            "location": "3号泵",
            "description": "3号泵漏油",
            "category": "equipment",
            "grade": "general",
            "source": "self_inspection",
            "found_on": local_today().isoformat(),
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.evidence.count() == 1
    assert hazard.events.get().data["quick_report"] == report.pk
    report.refresh_from_db()
    assert report.status == "accepted" and report.hazard_id == hazard.pk


def test_triage_shows_duplicates_before_recording(client, people, sites, general):
    client.force_login(people.worker_a)
    client.post(
        reverse("hazards:report-add"),
        {"site": sites.plant_a.pk, "description": general.description, "files": [png_upload()]},
    )
    report = QuickReport.objects.get()
    client.force_login(people.officer_a)
    url = reverse("hazards:report-accept", args=[report.pk])
    data = {
        "version": report.version,
        "location": general.location,
        "description": general.description,
        "category": "equipment",
        "grade": "general",
        "source": "self_inspection",
        "found_on": local_today().isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert [d.hazard.pk for d in response.context["duplicates"]] == [general.pk]
    assert "not_duplicate" in response.context["triage_form"].errors
    assert Hazard.objects.count() == 1
    response = client.post(url, {**data, "not_duplicate": "on"})
    assert response.status_code == 302
    new = Hazard.objects.exclude(pk=general.pk).get()
    assert new.events.get().data["possible_duplicates"] == [general.pk]


def test_rejected_report_shows_reason_to_the_reporter(client, people, sites):
    client.force_login(people.worker_a)
    client.post(
        reverse("hazards:report-add"),
        {"site": sites.plant_a.pk, "description": "地面湿滑", "files": [png_upload()]},
    )
    report = QuickReport.objects.get()
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:report-reject", args=[report.pk]),
        {"version": report.version, "reason": "已当班处理，不构成隐患"},
    )
    assert response.status_code == 302
    client.force_login(people.worker_a)
    response = client.get(reverse("hazards:report-list"))
    assert "已当班处理，不构成隐患" in response.content.decode()


def test_quick_report_needs_a_photo_and_refuses_fakes(client, people, sites):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people.worker_a)
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    response = client.post(
        reverse("hazards:report-add"),
        {"site": sites.plant_a.pk, "description": "漏油", "files": [fake]},
    )
    assert response.status_code == 200
    assert "is not a photo" in response.content.decode()
    assert not QuickReport.objects.exists()


def test_quick_report_permission(client, people):
    client.force_login(people.inspector_a)
    assert client.get(reverse("hazards:report-add")).status_code == 403
    client.force_login(people.grid)
    assert client.get(reverse("hazards:report-add")).status_code == 200


def test_site_page_links_to_its_hazards(client, people, sites, general):
    record(sites.plant_a, people.officer_a, HazardGrade.MAJOR)
    client.force_login(people.officer_a)
    response = client.get(reverse("registry:site-detail", args=[sites.plant_a.pk]))
    content = response.content.decode()
    assert f"/hazards/?site={sites.plant_a.pk}" in content
    assert f"/hazards/add/?site={sites.plant_a.pk}" in content
    assert "2 open hazards" in content and "1 major" in content


def test_admin_shows_the_ledger_read_only(client, people, general):
    client.force_login(people.admin)
    assert client.get(reverse("admin:hazards_hazard_changelist")).status_code == 200
    assert client.get(reverse("admin:hazards_hazard_change", args=[general.pk])).status_code == 200
    assert client.get(reverse("admin:hazards_hazard_add")).status_code == 403
    event = general.events.get()
    response = client.post(
        reverse("admin:hazards_hazardevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert general.events.count() == 1


# --- what makes an open page stale (issue 9, item 2) --------------------------------------------


def _submit_post(version):
    return {"submit-version": version, "submit-comment": "已整改", "submit-files": [png_upload()]}


def test_an_extension_request_leaves_other_open_pages_valid(client, people, sites):
    hazard = hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=people.officer_a,
        regulator=people.inspector_a,
    )
    page_version = hazard.version  # the principal's page is open
    act(hazard, HazardAction.REQUEST_EXTENSION, people.officer_a)
    assert Hazard.objects.get(pk=hazard.pk).version == page_version
    client.force_login(people.principal_a)
    response = client.post(
        reverse("hazards:hazard-act", args=[hazard.pk, "submit"]), _submit_post(page_version)
    )
    assert response.status_code == 302
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.SUBMITTED


@pytest.mark.parametrize(
    "decision", [HazardAction.APPROVE_EXTENSION, HazardAction.REFUSE_EXTENSION]
)
def test_a_decided_extension_makes_open_pages_stale(client, people, sites, decision):
    hazard = hazard_in_state(
        status=HazardStatus.RECTIFYING,
        grade=HazardGrade.GENERAL,
        site=sites.plant_a,
        responsible=people.officer_a,
        regulator=people.inspector_a,
        pending_extension=True,
    )
    page_version = hazard.version  # the officer's page shows the pending request
    act(hazard, decision, people.principal_a)
    client.force_login(people.officer_a)
    response = client.post(
        reverse("hazards:hazard-act", args=[hazard.pk, "submit"]), _submit_post(page_version)
    )
    assert response.status_code == 409
    assert "Someone else acted on this hazard" in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING
