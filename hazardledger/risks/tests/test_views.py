"""Risk pages: the permission matrix of every page, then behaviour (forms, card, export)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from PIL import Image

from hazardledger.accounts.choices import Role
from hazardledger.accounts.tests.factories import UserFactory
from hazardledger.registry.models import Site
from hazardledger.risks.cards import notice_card_html
from hazardledger.risks.choices import ControlKind, ControlLevel
from hazardledger.risks.models import (
    ControlMeasure,
    RiskAssessment,
    RiskPoint,
    RiskPointPhoto,
    SiteInspectionSchedule,
)
from hazardledger.risks.services import risk_point_assess, risk_point_photo_add

from .factories import ControlMeasureFactory, RiskPointFactory

pytestmark = pytest.mark.django_db


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    stream = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(stream, format="PNG")
    return SimpleUploadedFile(name, stream.getvalue(), content_type="image/png")


@pytest.fixture
def world(users, sites, settings, tmp_path):
    """Enterprise A's plant with one assessed risk point, a control and a photo."""
    settings.MEDIA_ROOT = tmp_path
    point = RiskPointFactory(site=sites.plant_a, name="1号储罐区", emergency_phone="020-88886666")
    # The site's level and the photo's file follow on commit, as at the end of a request.
    with TestCase.captureOnCommitCallbacks(execute=True):
        risk_point_assess(
            actor=users.officer_a, risk_point=point, method="lec", factors={"l": 6, "e": 6, "c": 7}
        )
    control = ControlMeasureFactory(risk_point=point, description="储罐设置高液位联锁")
    ControlMeasureFactory(
        risk_point=point,
        kind=ControlKind.EMERGENCY,
        description="泄漏时启动围堰和喷淋",
        level=ControlLevel.COMPANY,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        photo = risk_point_photo_add(actor=users.officer_a, risk_point=point, image=_png())
    point.refresh_from_db()
    return {"point": point, "control": control, "photo": photo, "site": sites.plant_a}


def _url(name, world):
    pk = {
        "riskpoint-list": None,
        "riskpoint-export": None,
        "calculator": None,
        "risk-counts": None,
        "inspection-due-list": None,
        "site-risk-list": world["site"].pk,
        "riskpoint-add": world["site"].pk,
        "site-inspection-record": world["site"].pk,
        "riskpoint-detail": world["point"].pk,
        "riskpoint-edit": world["point"].pk,
        "riskpoint-assess": world["point"].pk,
        "riskpoint-card": world["point"].pk,
        "photo-add": world["point"].pk,
        "control-add": world["point"].pk,
        "control-edit": world["control"].pk,
        "control-delete": world["control"].pk,
        "photo-file": world["photo"].pk,
    }[name]
    return reverse(f"risks:{name}", args=[pk] if pk is not None else [])


GET_PAGES = [
    "riskpoint-list",
    "riskpoint-export",
    "calculator",
    "risk-counts",
    "inspection-due-list",
    "site-risk-list",
    "riskpoint-add",
    "riskpoint-detail",
    "riskpoint-edit",
    "riskpoint-assess",
    "riskpoint-card",
    "photo-add",
    "control-add",
    "control-edit",
    "photo-file",
]
POST_ONLY = ["control-delete", "site-inspection-record"]


@pytest.mark.parametrize("name", GET_PAGES + POST_ONLY)
def test_anonymous_is_sent_to_login(client, world, name):
    url = _url(name, world)
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("name", "persona", "status"),
    [
        # out of scope → 404 (another enterprise; a Shenzhen office)
        *[(name, "officer_b", 404) for name in GET_PAGES[5:]],
        *[(name, "manager_b", 404) for name in GET_PAGES[5:]],
        # in scope but not allowed → 403
        ("riskpoint-add", "inspector_a", 403),
        ("riskpoint-add", "auditor", 403),
        ("riskpoint-edit", "inspector_a", 403),
        ("riskpoint-edit", "manager_a", 403),
        ("riskpoint-assess", "auditor", 403),
        ("control-add", "inspector_a", 403),
        ("control-edit", "auditor", 403),
        ("photo-add", "manager_a", 403),
        ("inspection-due-list", "officer_a", 403),
        ("inspection-due-list", "principal_a", 403),
        # allowed → 200
        ("riskpoint-list", "officer_a", 200),
        ("riskpoint-list", "auditor", 200),
        ("riskpoint-export", "inspector_a", 200),
        ("calculator", "officer_a", 200),
        ("risk-counts", "auditor", 200),
        ("risk-counts", "officer_a", 200),
        ("inspection-due-list", "inspector_a", 200),
        ("inspection-due-list", "auditor", 200),
        ("site-risk-list", "officer_a", 200),
        ("site-risk-list", "auditor", 200),
        ("riskpoint-add", "officer_a", 200),
        ("riskpoint-add", "principal_a", 200),
        ("riskpoint-detail", "inspector_a", 200),
        ("riskpoint-detail", "auditor", 200),
        ("riskpoint-edit", "officer_a", 200),
        ("riskpoint-assess", "officer_a", 200),
        ("riskpoint-assess", "inspector_a", 200),  # regulators may assess
        ("riskpoint-assess", "manager_a", 200),
        ("riskpoint-card", "auditor", 200),
        ("photo-add", "officer_a", 200),
        ("control-add", "principal_a", 200),
        ("control-edit", "officer_a", 200),
        ("photo-file", "inspector_a", 200),
        ("riskpoint-detail", "admin", 200),
    ],
)
def test_get_permission_matrix(client, users, world, name, persona, status):
    client.force_login(getattr(users, persona))
    assert client.get(_url(name, world)).status_code == status


def test_enterprise_worker_views_but_may_not_export(client, orgs, world):
    worker = UserFactory(username="worker_a", role=Role.ENTERPRISE_WORKER, organisation=orgs.ent_a)
    client.force_login(worker)
    assert client.get(_url("riskpoint-detail", world)).status_code == 200
    assert client.get(_url("riskpoint-card", world)).status_code == 200
    assert client.get(_url("riskpoint-export", world)).status_code == 403
    assert client.get(_url("riskpoint-assess", world)).status_code == 403


@pytest.mark.parametrize(
    ("name", "persona", "status"),
    [
        ("control-delete", "officer_b", 404),
        ("control-delete", "inspector_a", 403),
        ("control-delete", "officer_a", 302),
        ("site-inspection-record", "officer_b", 404),
        ("site-inspection-record", "manager_b", 404),
        ("site-inspection-record", "officer_a", 403),
        ("site-inspection-record", "auditor", 403),
        ("site-inspection-record", "inspector_a", 302),
    ],
)
def test_post_permission_matrix(client, users, world, name, persona, status):
    client.force_login(getattr(users, persona))
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(_url(name, world), {"inspected_on": day})
    assert response.status_code == status
    if name == "control-delete":
        assert ControlMeasure.objects.filter(pk=world["control"].pk).exists() == (status != 302)
    else:
        assert SiteInspectionSchedule.objects.exists() == (status == 302)


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_pages_refuse_get(client, users, world, name):
    client.force_login(users.admin)
    assert client.get(_url(name, world)).status_code == 405


@pytest.mark.parametrize("name", ["riskpoint-card", "photo-file", "riskpoint-list"])
def test_read_only_pages_refuse_post(client, users, world, name):
    client.force_login(users.officer_a)
    assert client.post(_url(name, world)).status_code == 405


# --- Behaviour ----------------------------------------------------------------------------------


def test_add_risk_point(client, users, sites):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:riskpoint-add", args=[sites.plant_a.pk]),
        {
            "name": "装卸作业",
            "kind": "activity",
            "location": "汽车装卸站台",
            "hazard_types": ["fire", "vehicle"],
            "consequences": "泄漏引发火灾",
        },
    )
    point = RiskPoint.objects.get()
    assert response.status_code == 302 and response.url == point.get_absolute_url()
    assert point.hazard_types == ["fire", "vehicle"]  # as chosen, in that order
    assert point.organisation_id == sites.plant_a.organisation_id


def test_add_risk_point_without_hazard_types_is_refused(client, users, sites):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:riskpoint-add", args=[sites.plant_a.pk]),
        {"name": "装卸作业", "kind": "activity", "hazard_types": []},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Choose at least one hazard type." in response.content.decode()
    assert not RiskPoint.objects.exists()


def test_assess_with_lec_into_orange(client, users, world):
    point = world["point"]
    client.force_login(users.inspector_a)
    response = client.post(
        reverse("risks:riskpoint-assess", args=[point.pk]),
        {"method": "lec", "l": "6", "e": "6", "c": "7", "note": "复评"},
    )
    assert response.status_code == 302
    assert point.assessments.count() == 2
    current = point.assessments.get(is_current=True)
    assert (current.grade, current.assessed_by) == ("large", users.inspector_a)
    assert Site.objects.get(pk=world["site"].pk).risk_level == "large"


def test_assess_refuses_off_scale_factor_with_a_clear_message(client, users, world):
    point = world["point"]
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:riskpoint-assess", args=[point.pk]),
        {"method": "lec", "l": "4", "e": "6", "c": "7"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["l"] == [
        "4 is not on the L (likelihood) scale. Allowed values: 10, 6, 3, 1, 0.5, 0.2, 0.1."
    ]
    assert point.assessments.count() == 1


def test_assess_requires_the_factors_of_the_chosen_method(client, users, world):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:riskpoint-assess", args=[world["point"].pk]),
        {"method": "matrix", "l": "6", "e": "6", "c": "7"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"matrix_l", "s"}
    assert RiskAssessment.objects.count() == 1


def test_assess_with_matrix_set_b(client, users, world):
    client.force_login(users.officer_a)
    client.post(
        reverse("risks:riskpoint-assess", args=[world["point"].pk]),
        {"method": "matrix", "matrix_l": "3", "s": "3", "threshold_set": "B"},
    )
    current = RiskAssessment.objects.get(is_current=True)
    assert (current.method, current.value, current.grade, current.threshold_set) == (
        "matrix",
        9,
        "general",
        "B",
    )


def test_calculator_previews_the_grade(client, users):
    client.force_login(users.officer_a)
    response = client.get(
        reverse("risks:calculator"),
        {"method": "matrix", "matrix_l": "4", "s": "5"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Major risk" in response.content.decode()
    response = client.get(
        reverse("risks:calculator"), {"method": "lec", "l": "4", "e": "6", "c": "7"}
    )
    assert response.status_code == 200
    assert "0.5, 0.2, 0.1" in response.content.decode()


def test_add_and_edit_control(client, users, world):
    point = world["point"]
    client.force_login(users.officer_a)
    data = {
        "kind": "training",
        "description": "每季度开展储罐区专项应急演练",
        "level": "workshop",
        "responsible_person": "王五",
        "responsible_phone": "13800000000",
        "check_item": "",
    }
    response = client.post(reverse("risks:control-add", args=[point.pk]), data)
    assert response.status_code == 302
    control = point.controls.get(kind="training")
    response = client.post(
        reverse("risks:control-edit", args=[control.pk]), {**data, "level": "company"}
    )
    assert response.status_code == 302
    control.refresh_from_db()
    assert control.level == "company"


def test_control_with_unknown_level_is_refused(client, users, world):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:control-add", args=[world["point"].pk]),
        {"kind": "training", "description": "x", "level": "galaxy", "responsible_person": "王五"},
    )
    assert response.status_code == 200
    assert "level" in response.context["form"].errors
    assert world["point"].controls.count() == 2


def test_photo_upload_and_refusal_of_non_images(client, users, world):
    client.force_login(users.officer_a)
    url = reverse("risks:photo-add", args=[world["point"].pk])
    assert client.post(url, {"image": _png("b.png"), "caption": "罐顶"}).status_code == 302
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(url, {"image": bad})
    assert response.status_code == 200 and "image" in response.context["form"].errors
    assert RiskPointPhoto.objects.count() == 2
    photo = RiskPointPhoto.objects.get(caption="罐顶")
    assert photo.region_id == world["site"].region_id


def test_notice_card_html_has_grade_controls_emergency_and_phones(world):
    with translation.override("en"):
        html = notice_card_html(risk_point=world["point"])
    assert '"Noto Sans CJK SC"' in html
    assert "1号储罐区" in html
    assert "Large risk" in html and "Orange" in html
    assert "#f08c00" in html  # orange
    assert "储罐设置高液位联锁" in html
    assert "泄漏时启动围堰和喷淋" in html
    assert "火灾" in html  # hazard types
    assert "020-88886666" in html and "119" in html and "120" in html


def test_notice_card_is_a_pdf(client, users, world):
    client.force_login(users.officer_a)
    response = client.get(_url("riskpoint-card", world))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000


def test_export_register(client, users, world, sites):
    RiskPointFactory(site=sites.factory_b, name="乙的风险点")
    client.force_login(users.manager_a)
    response = client.get(
        reverse("risks:riskpoint-export"), {"site": world["site"].pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one point of the filtered site
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Risk point"] == "1号储罐区"
    assert (row["Method"], row["L"], row["E"], row["C"], row["S"]) == (
        "LEC (D = L × E × C)",
        6,
        6,
        7,
        None,
    )
    assert (row["Risk value"], row["Grade"], row["Colour"]) == (252, "Large risk", "Orange")
    assert "储罐设置高液位联锁" in row["Control measures"]
    # Issue 11: an English list is joined with commas.
    assert row["Hazard types"] == "Fire, Other explosion"


def test_export_is_scoped(client, users, world, sites):
    RiskPointFactory(site=sites.factory_b, name="乙的风险点")
    client.force_login(users.officer_b)
    response = client.get(reverse("risks:riskpoint-export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == ["乙的风险点"]


def test_list_shows_only_points_in_scope(client, users, world, sites):
    RiskPointFactory(site=sites.factory_b, name="乙的风险点")
    RiskPointFactory(site=sites.shenzhen_c, name="深圳风险点")
    client.force_login(users.inspector_a)
    response = client.get(reverse("risks:riskpoint-list"))
    names = [p.name for p in response.context["object_list"]]
    assert names == ["1号储罐区", "乙的风险点"]  # worst first, Shenzhen out of scope


def test_site_risk_list_is_four_colour(client, users, world):
    client.force_login(users.officer_a)
    response = client.get(_url("site-risk-list", world))
    content = response.content.decode()
    assert "risk-large" in content and "1号储罐区" in content


def test_site_detail_shows_risk_block(client, users, world):
    client.force_login(users.inspector_a)
    response = client.get(reverse("registry:site-detail", args=[world["site"].pk]))
    content = response.content.decode()
    assert 'data-testid="site-risk-block"' in content
    assert reverse("risks:site-risk-list", args=[world["site"].pk]) in content


def test_due_list_page_shows_overdue_sites(client, users, world):
    Site.objects.filter(pk=world["site"].pk).update(risk_level="major")
    SiteInspectionSchedule.objects.create(
        site=world["site"],
        region_id=world["site"].region_id,
        sector_id=world["site"].sector_id,
        organisation_id=world["site"].organisation_id,
        last_inspected_on=timezone.localdate() - timedelta(days=70),
    )
    client.force_login(users.inspector_a)
    response = client.get(reverse("risks:inspection-due-list"), {"show": "overdue"})
    rows = response.context["rows"]
    assert [(r.site.name, r.status) for r in rows] == [("甲化工储罐区", "overdue")]
    assert rows[0].days_overdue > 0


def test_future_inspection_date_is_refused(client, users, world):
    client.force_login(users.inspector_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(_url("site-inspection-record", world), {"inspected_on": tomorrow})
    assert response.status_code == 302
    assert not SiteInspectionSchedule.objects.exists()


def test_counts_page(client, users, world):
    client.force_login(users.manager_a)
    response = client.get(reverse("risks:risk-counts"), {"region": "4401", "sector": ""})
    assert response.status_code == 200
    assert response.context["counts"]["totals"]["risk_points"] == 1


# --- Queries: a page costs the same whatever the number of rows -------------------------------


def _graded_sites(sites, names):
    """More major sites beside plant A, every other one inspected long ago, each with a major
    risk point; and a low point with a control at plant A per site."""
    from hazardledger.registry.tests.factories import SiteFactory

    site = sites.plant_a
    made = []
    for i in names:
        other = SiteFactory(
            name=f"场所{i}",
            risk_level="major",
            region_id=site.region_id,
            sector_id=site.sector_id,
            organisation=site.organisation,
        )
        if i % 2:
            SiteInspectionSchedule.objects.create(
                site=other,
                region_id=other.region_id,
                sector_id=other.sector_id,
                organisation_id=other.organisation_id,
                last_inspected_on=timezone.localdate() - timedelta(days=90),
            )
        RiskPointFactory(site=other, grade="major")
        ControlMeasureFactory(risk_point=RiskPointFactory(site=site, grade="low"))
        made.append(other)
    return made


@pytest.mark.parametrize(
    ("name", "persona"),
    [
        ("inspection-due-list", "inspector_a"),
        ("riskpoint-list", "officer_a"),
        ("site-risk-list", "officer_a"),
        ("riskpoint-export", "manager_a"),
    ],
)
def test_list_pages_do_not_query_per_row(
    client, users, world, sites, name, persona, django_assert_num_queries
):
    client.force_login(getattr(users, persona))
    url = _url(name, world)
    _graded_sites(sites, range(2))
    response = client.get(url)  # warm up (session, caches)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _graded_sites(sites, range(2, 8))
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    # The added rows are on the page, so the count above covers them.
    if name == "riskpoint-export":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert "场所7" in {row[0] for row in sheet.iter_rows(values_only=True)}
    elif name == "site-risk-list":
        assert len(response.context["points"]) == 1 + 8  # the world's point and 8 more
    else:
        assert "场所7" in response.content.decode()
