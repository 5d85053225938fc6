"""Hostile input on every campaign form and query string: control characters, formulas, huge
numbers, malformed ids and files that are not what they say → a clear 4xx or form error, and
nothing changed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.campaigns.models import Campaign, Circular, Task
from hazardledger.campaigns.services import campaign_issue

from .conftest import committed, province_input, today

pytestmark = pytest.mark.usefixtures("english")

HUGE = str(2**70)


def _base(**changes):
    start = today()
    data = {
        "title": "矿山专项检查",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=30)).isoformat(),
        "regions": ["4402"],
        "sectors": ["mines"],
        "coverage_target": "100",
        "closure_target": "90",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "矿山\x07检查"}, "title"),
        ({"directive_text": "通知\x00"}, "directive_text"),
        ({"leads": "王明\x1b"}, "leads"),
        ({"coverage_target": HUGE}, "coverage_target"),
        ({"closure_target": "-5"}, "closure_target"),
        ({"regions": ["4401"]}, "regions"),  # another city: not in the office's choices
        ({"regions": ["'; DROP TABLE x; --"]}, "regions"),
        ({"sectors": ["nowhere"]}, "sectors"),
        ({"site_kinds": ["rocket"]}, "site_kinds"),
        ({"checklists": ["nope"]}, "checklists"),
        ({"starts_on": "2026-13-45"}, "starts_on"),
        ({"mobilisation_start": today().isoformat()}, "mobilisation_end"),
        ({"ends_on": (today() - timedelta(days=1)).isoformat()}, "ends_on"),
        ({"delegated": ["4418"]}, "delegated"),
    ],
)
def test_a_bad_campaign_form_is_refused_and_nothing_is_saved(client, mines, changes, field):
    client.force_login(mines.shaoguan)
    response = client.post(reverse("campaigns:campaign-add"), _base(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Campaign.objects.exists()


def test_a_directive_that_is_not_a_pdf_is_refused(client, mines):
    client.force_login(mines.shaoguan)
    fake = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("campaigns:campaign-add"), _base(directive_file=fake))
    assert response.status_code == 200
    assert "directive_file" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_a_formula_title_is_text_in_the_export(client, mines):
    client.force_login(mines.shaoguan)
    with committed():
        client.post(reverse("campaigns:campaign-add"), _base(title='=HYPERLINK("http://x")'))
    campaign = Campaign.objects.get()
    assert campaign.title.startswith("=HYPERLINK")
    response = client.get(reverse("campaigns:campaign-xlsx", args=[campaign.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    "changes",
    [
        {"template": "wildfire"},
        {"template": "pre_flood", "starts_on": "yesterday"},
        {"template": "learn_from_case", "sectors": ["mines"], "accident": "事故\x08"},
        {"template": "pre_flood", "regions": ["4401"]},
        {"template": "pre_flood", "document_number": "粤\x7f"},
    ],
)
def test_a_bad_template_form_is_refused(client, mines, changes):
    client.force_login(mines.shaoguan)
    data = {"starts_on": today().isoformat(), **changes}
    response = client.post(reverse("campaigns:campaign-template"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Campaign.objects.exists()


@pytest.fixture
def province(mines):
    with committed():
        return campaign_issue(
            actor=mines.gd,
            data=province_input(today() - timedelta(days=5), today() + timedelta(days=60)),
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "韶\x0c关"}, "title"),
        ({"regions": ["4418"]}, "regions"),
        ({"sectors": ["hazardous_chemicals"]}, "sectors"),
        ({"ends_on": "9999-12-31"}, "ends_on"),
        ({"delegated": ["441881"]}, "delegated"),
        ({"enforcement_start": "x", "enforcement_end": "y"}, "enforcement_start"),
    ],
)
def test_a_bad_take_up_is_refused(client, mines, province, changes, field):
    client.force_login(mines.shaoguan)
    data = {
        "title": "韶关实施方案",
        "starts_on": province.starts_on.isoformat(),
        "ends_on": province.ends_on.isoformat(),
        "regions": ["4402"],
        "sectors": ["mines"],
        **changes,
    }
    response = client.post(reverse("campaigns:campaign-take-up", args=[province.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Campaign.objects.filter(parent=province).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "请加快\x00"}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"region": "4401"}, "region"),
        ({"region": "44029999"}, "region"),
        ({"kind": "threat"}, "kind"),
        ({"document_number": "粤\x1f1号"}, "document_number"),
    ],
)
def test_a_bad_circular_is_refused(client, mines, province, changes, field):
    client.force_login(mines.gd)
    data = {"kind": "urging", "region": "4409", "text": "请加快进度", **changes}
    response = client.post(reverse("campaigns:circular-add", args=[province.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Circular.objects.exists()


@pytest.mark.parametrize(
    "tasks",
    [["abc"], [HUGE], ["-1"], ["1e9"], [], ["0"]],
)
def test_malformed_task_ids_give_a_message_and_change_nothing(client, mines, province, tasks):
    client.force_login(mines.gd)
    response = client.post(
        reverse("campaigns:campaign-assign", args=[province.pk]),
        {"tasks": tasks, "users": [mines.gd.pk]},
    )
    assert response.status_code == 302
    assert not Task.assignees.through.objects.exists()


@pytest.mark.parametrize(("count", "status"), [(501, 302), (1500, 400)])
def test_too_many_task_ids_are_refused(client, mines, province, count, status):
    """More than a batch is refused with a message; more fields than Django reads at all is
    a 400 (``DATA_UPLOAD_MAX_NUMBER_FIELDS``)."""
    client.force_login(mines.gd)
    response = client.post(
        reverse("campaigns:campaign-assign", args=[province.pk]),
        {"tasks": [str(n) for n in range(1, count + 1)], "users": [mines.gd.pk]},
    )
    assert response.status_code == status
    assert not Task.assignees.through.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"size": HUGE, "planned_on": today().isoformat()},
        {"size": "0", "planned_on": today().isoformat()},
        {"size": "2", "planned_on": "then", "seed": HUGE},
        {"size": "2", "planned_on": today().isoformat(), "inspectors": ["x"]},
    ],
)
def test_a_bad_draw_form_is_refused(client, mines, province, data):
    from hazardledger.inspections.models import Draw

    client.force_login(mines.province_inspector)
    response = client.post(reverse("campaigns:campaign-draw", args=[province.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Draw.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"at": "44\x00"},
        {"at": HUGE},
        {"at": "4401"},
        {"sector": "'; --"},
        {"page": HUGE},
        {"figure": "../../etc"},
        {"state": "nonsense", "responsible": HUGE, "sector": "x\x07"},
    ],
)
def test_hostile_query_strings_are_harmless(client, mines, province, query):
    client.force_login(mines.gd)
    for name in (
        "campaigns:campaign-detail",
        "campaigns:campaign-tasks",
        "campaigns:campaign-hazards",
        "campaigns:campaign-xlsx",
    ):
        response = client.get(reverse(name, args=[province.pk]), query)
        assert response.status_code in (200, 400), (name, response.status_code)


def test_huge_object_ids_are_not_found(client, mines):
    client.force_login(mines.gd)
    for name in ("campaigns:campaign-detail", "campaigns:circular-detail"):
        assert client.get(f"{reverse(name, args=[1])[:-2]}{HUGE}/").status_code == 404
