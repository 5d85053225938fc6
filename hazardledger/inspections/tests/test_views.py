"""Every page: anonymous → login, out of scope → 404, in scope but not allowed → 403, allowed
→ 200 (or the redirect of a successful POST), wrong method → 405."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import segno
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.hazards.choices import HazardStatus
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import png_upload
from hazardledger.hazards.workflow import ConcurrentEditError, hazard_transition
from hazardledger.inspections.checklists import checklist_to_toml
from hazardledger.inspections.draws import draw_seal
from hazardledger.inspections.models import Checklist, HazardDraft, Inspection, RecheckDecision
from hazardledger.inspections.policies import INSPECTION_POLICY
from hazardledger.inspections.services import inspection_plan
from hazardledger.inspections.sync import inspection_sync

from .conftest import committed, submitted_major_hazard, sync_document


@pytest.fixture
def world(checklists, users, sites, orgs):
    """A submitted inspection of plant A with a major draft, a re-check, and a sealed draw."""
    inspection = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="routine",
        checklist=checklists["hazardous_chemicals"],
        planned_on=timezone.localdate(),
        start=True,
    )
    with committed():
        inspection_sync(
            actor=users.inspector_a,
            inspection=inspection,
            document=sync_document(inspection, fail={"hc-12": "无报警器"}),
        )
    in_progress = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="routine",
        checklist=checklists["hazardous_chemicals"],
        planned_on=timezone.localdate(),
        start=True,
    )
    colleague = UserFactory(username="colleague", role=Role.INSPECTOR, organisation=orgs.gz_em)
    draw = draw_seal(
        actor=users.inspector_a,
        title="抽查",
        regions=["4401"],
        sectors=["hazardous_chemicals"],
        site_kinds=[],
        size=1,
        inspector_ids=[users.inspector_a.pk, colleague.pk],
        planned_on=timezone.localdate() + timedelta(days=1),
        seed=7,
    )
    return {
        "inspection": inspection,
        "in_progress": in_progress,
        "draft": HazardDraft.objects.get(inspection=inspection),
        "draw": draw,
        "site": sites.plant_a,
        "checklist": checklists["hazardous_chemicals"],
    }


def _url(name, world):
    pk = {
        "inspection-detail": world["inspection"].pk,
        "inspection-record": world["inspection"].pk,
        "inspection-conduct": world["in_progress"].pk,
        "draft-confirm": world["draft"].pk,
        "draw-detail": world["draw"].pk,
        "draw-rerun": world["draw"].pk,
        "draw-perform": world["draw"].pk,
        "checklist-detail": world["checklist"].pk,
        "checklist-download": world["checklist"].pk,
    }
    site = {"inspection-start": world["site"].pk, "site-qr": world["site"].pk}
    if name in pk:
        return reverse(f"inspections:{name}", args=[pk[name]])
    if name in site:
        return reverse(f"inspections:{name}", args=[site[name]])
    return reverse(f"inspections:{name}")


MATRIX = [
    # (page, method, persona, expected status)
    ("inspection-list", "get", None, 302),
    ("inspection-list", "get", "officer_b", 200),
    ("inspection-list", "get", "inspector_a", 200),
    ("inspection-start", "get", None, 302),
    ("inspection-start", "get", "manager_b", 404),
    ("inspection-start", "get", "auditor", 403),
    ("inspection-start", "get", "inspector_a", 200),
    ("inspection-start", "get", "officer_a", 200),
    ("inspection-detail", "get", None, 302),
    ("inspection-detail", "get", "manager_b", 404),
    ("inspection-detail", "get", "officer_b", 404),
    ("inspection-detail", "get", "auditor", 200),
    ("inspection-detail", "get", "officer_a", 200),
    ("inspection-detail", "get", "inspector_a", 200),
    ("inspection-conduct", "get", None, 302),
    ("inspection-conduct", "get", "manager_b", 404),
    ("inspection-conduct", "get", "auditor", 403),
    ("inspection-conduct", "get", "officer_a", 403),
    ("inspection-conduct", "get", "inspector_a", 200),
    ("inspection-conduct", "post", "inspector_a", 405),
    ("inspection-record", "get", None, 302),
    ("inspection-record", "get", "manager_b", 404),
    ("inspection-record", "get", "inspector_a", 200),
    ("draft-confirm", "get", None, 302),
    ("draft-confirm", "get", "manager_b", 404),
    ("draft-confirm", "get", "auditor", 403),
    ("draft-confirm", "get", "officer_a", 403),
    ("draft-confirm", "get", "inspector_a", 200),
    ("site-qr", "get", None, 302),
    ("site-qr", "get", "manager_b", 404),
    ("site-qr", "get", "inspector_a", 200),
    ("checklist-list", "get", None, 302),
    ("checklist-list", "get", "officer_a", 200),
    ("checklist-detail", "get", "officer_a", 200),
    ("checklist-download", "get", "officer_a", 200),
    ("checklist-upload", "get", None, 302),
    ("checklist-upload", "get", "inspector_a", 403),
    ("checklist-upload", "get", "admin", 200),
    ("draw-list", "get", None, 302),
    ("draw-list", "get", "officer_a", 403),
    ("draw-list", "get", "auditor", 200),
    ("draw-add", "get", None, 302),
    ("draw-add", "get", "officer_a", 403),
    ("draw-add", "get", "inspector_a", 200),
    ("draw-detail", "get", None, 302),
    ("draw-detail", "get", "manager_b", 404),
    ("draw-detail", "get", "auditor", 200),
    ("draw-detail", "get", "inspector_a", 200),
    ("draw-rerun", "get", "manager_b", 404),
    ("draw-rerun", "get", "manager_a", 200),
    ("draw-perform", "post", None, 302),
    ("draw-perform", "post", "manager_b", 404),
    ("draw-perform", "post", "auditor", 403),
    ("draw-perform", "get", "inspector_a", 405),
    ("draw-perform", "post", "inspector_a", 302),
]


@pytest.mark.parametrize(("page", "method", "persona", "status"), MATRIX)
def test_permission_matrix(client, users, world, page, method, persona, status):
    if persona:
        client.force_login(getattr(users, persona))
    response = getattr(client, method)(_url(page, world))
    assert response.status_code == status
    if persona is None and status == 302:
        assert "/accounts/login/" in response["Location"]


def test_the_record_is_a_pdf(client, users, world):
    client.force_login(users.inspector_a)
    response = client.get(_url("inspection-record", world))
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:4] == b"%PDF"


def test_the_qr_code_opens_the_start_of_an_inspection(client, users, world):
    client.force_login(users.inspector_a)
    response = client.get(_url("site-qr", world))
    assert response["Content-Type"] == "image/svg+xml"
    expected = io.BytesIO()
    url = "http://testserver" + _url("inspection-start", world)
    segno.make(url, error="m").save(expected, kind="svg", scale=6, border=2)
    assert response.content == expected.getvalue()  # the QR holds the start URL
    site_page = client.get(world["site"].get_absolute_url())
    assert _url("inspection-start", world) in site_page.content.decode()
    assert _url("site-qr", world) in site_page.content.decode()


def test_starting_from_the_page_creates_an_inspection_in_progress(client, users, world):
    client.force_login(users.inspector_a)
    response = client.post(
        _url("inspection-start", world),
        {"kind": "routine", "checklist": world["checklist"].pk, "action": "start"},
    )
    inspection = Inspection.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:inspection-conduct", args=[inspection.pk])
    assert inspection.status == "in_progress"
    assert list(inspection.inspectors.all()) == [users.inspector_a]


def test_a_checklist_that_does_not_fit_is_refused_with_a_message(client, users, world, checklists):
    client.force_login(users.inspector_a)
    before = Inspection.objects.count()
    response = client.post(
        _url("inspection-start", world),
        {"kind": "routine", "checklist": checklists["coal_mine"].pk, "action": "start"},
    )
    assert response.status_code == 200
    assert Inspection.objects.count() == before


def test_confirming_a_major_draft_without_interim_measures_shows_the_error(client, users, world):
    client.force_login(users.inspector_a)
    draft = world["draft"]
    prefix = f"d{draft.pk}-"
    data = {
        prefix + "description": draft.description,
        prefix + "location": "2号罐区",
        prefix + "category": "equipment",
        prefix + "grade": "major",
    }
    response = client.post(_url("draft-confirm", world), data)
    assert response.status_code == 200
    assert not Hazard.objects.exists()
    data[prefix + "interim_measures"] = ["people_withdrawn"]
    response = client.post(_url("draft-confirm", world), data)
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.grade == "major" and "hc-12" in hazard.grade_basis


def test_an_administrator_uploads_a_new_checklist_version(client, users, world):
    client.force_login(users.admin)
    text = checklist_to_toml(world["checklist"]).replace(
        "特种作业人员持证上岗", "特种作业人员均持有效证件上岗"
    )
    upload = SimpleUploadedFile("hc.toml", text.encode(), content_type="application/toml")
    response = client.post(_url("checklist-upload", world), {"file": upload})
    assert response.status_code == 302
    assert Checklist.objects.get(code="hazardous_chemicals", is_current=True).version == 2
    world["inspection"].refresh_from_db()
    assert world["inspection"].checklist.version == 1


def test_a_bad_upload_changes_nothing(client, users, world):
    client.force_login(users.admin)
    upload = SimpleUploadedFile("bad.toml", b"code = ", content_type="application/toml")
    response = client.post(_url("checklist-upload", world), {"file": upload})
    assert response.status_code == 200
    assert Checklist.objects.filter(code="hazardous_chemicals").count() == 1


def test_the_rerun_page_shows_that_the_draw_matches(client, users, world):
    client.force_login(users.inspector_a)
    client.post(_url("draw-perform", world))
    response = client.get(_url("draw-rerun", world))
    assert 'data-testid="rerun-result"' in response.content.decode()
    assert "alert-success" in response.content.decode()


def test_the_detail_page_links_each_draft_to_confirm_until_it_is_decided(client, users, world):
    client.force_login(users.inspector_a)
    confirm = _url("draft-confirm", world)
    assert confirm in client.get(_url("inspection-detail", world)).content.decode()
    client.post(reverse("inspections:draft-dismiss", args=[world["draft"].pk]), {"reason": "误报"})
    assert confirm not in client.get(_url("inspection-detail", world)).content.decode()


def test_a_missing_checklist_is_a_404(client, users, world):
    client.force_login(users.officer_a)
    assert client.get(reverse("inspections:checklist-detail", args=[0])).status_code == 404
    assert client.get(reverse("inspections:checklist-download", args=[0])).status_code == 404


# --- re-checks ----------------------------------------------------------------------------------


def _recheck_page_version(client, recheck, hazard) -> int:
    """The hazard version the re-check page's decision form carries."""
    page = client.get(reverse("inspections:inspection-detail", args=[recheck.pk])).content.decode()
    card = page[page.index(f'data-testid="recheck-{hazard.pk}"') :]
    return int(re.search(r'name="version" value="(\d+)"', card).group(1))


def test_a_recheck_decision_from_a_stale_page_is_refused_and_nothing_is_written(
    client, users, sites, orgs, english
):
    hazard = submitted_major_hazard(users, sites)
    recheck = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="recheck",
        checklist=None,
        planned_on=timezone.localdate(),
        start=True,
    )
    client.force_login(users.inspector_a)
    shown = _recheck_page_version(client, recheck, hazard)
    assert shown == hazard.version
    # Meanwhile a colleague rejects the rectification and the enterprise submits it again:
    # the hazard is awaiting acceptance as before, but not the submission the page showed.
    colleague = UserFactory(username="colleague", role=Role.INSPECTOR, organisation=orgs.gz_em)
    hazard = hazard_transition(
        hazard=hazard,
        action="reject",
        actor=colleague,
        expected_version=hazard.version,
        comment="报警器未联动",
    )
    hazard = hazard_transition(
        hazard=hazard,
        action="submit",
        actor=users.officer_a,
        expected_version=hazard.version,
        comment="已加装联动",
        files=[png_upload()],
    )
    events = hazard.events.count()
    response = client.post(
        reverse("inspections:recheck-decide", args=[recheck.pk, hazard.pk]),
        {"outcome": "accept", "version": shown, "comment": ""},
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        str(ConcurrentEditError().message)
    ]
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.SUBMITTED
    assert hazard.events.count() == events
    assert not RecheckDecision.objects.exists()
    # The current page carries the current version, and its decision goes through.
    current = _recheck_page_version(client, recheck, hazard)
    response = client.post(
        reverse("inspections:recheck-decide", args=[recheck.pk, hazard.pk]),
        {"outcome": "accept", "version": current, "comment": ""},
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED
    assert RecheckDecision.objects.filter(hazard=hazard, outcome="accept").exists()


def test_a_recheck_decision_without_the_pages_version_is_refused(client, users, sites):
    hazard = submitted_major_hazard(users, sites)
    recheck = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="recheck",
        checklist=None,
        planned_on=timezone.localdate(),
        start=True,
    )
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("inspections:recheck-decide", args=[recheck.pk, hazard.pk]), {"outcome": "accept"}
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.SUBMITTED
    assert not RecheckDecision.objects.exists()


# --- who may conduct -----------------------------------------------------------------------------


def test_an_enterprise_self_inspection_is_conducted_by_the_enterprise_only(
    client, users, sites, checklists
):
    inspection = inspection_plan(
        actor=users.officer_a,
        site=sites.plant_a,
        kind="self",
        checklist=checklists["hazardous_chemicals"],
        planned_on=timezone.localdate(),
        start=True,
    )
    conduct = reverse("inspections:inspection-conduct", args=[inspection.pk])
    for persona, status in [("officer_a", 200), ("inspector_a", 403), ("admin", 403)]:
        client.force_login(getattr(users, persona))
        assert client.get(conduct).status_code == status, persona
    may_conduct = INSPECTION_POLICY.users_with_permission_for_instance("conduct", inspection)
    assert {users.officer_a, users.principal_a} <= set(may_conduct)
    assert not {users.inspector_a, users.admin, users.officer_b} & set(may_conduct)


def test_the_inspector_sets_the_deadline_when_confirming_a_draft(client, users, world):
    """Issue 12: a regulator sets the deadline at the inspection; empty means the default."""
    from datetime import timedelta

    from hazardledger.hazards.deadlines import default_deadline, local_today

    client.force_login(users.inspector_a)
    draft = world["draft"]
    prefix = f"d{draft.pk}-"
    page = client.get(_url("draft-confirm", world)).content.decode()
    assert f'name="{prefix}deadline"' in page
    chosen = local_today() + timedelta(days=12)
    response = client.post(
        _url("draft-confirm", world),
        {
            prefix + "description": draft.description,
            prefix + "location": "2号罐区",
            prefix + "category": "equipment",
            prefix + "grade": "major",
            prefix + "interim_measures": ["people_withdrawn"],
            prefix + "deadline": chosen.isoformat(),
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.deadline == chosen
    assert hazard.deadline != default_deadline(grade="major", found_on=hazard.found_on)
