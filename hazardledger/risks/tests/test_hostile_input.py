"""Hostile input on the risk pages: ids no row can have in the query string, control
characters in the risk point and control forms, and an export link that always carries the
register's filters."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.risks.models import ControlMeasure, RiskPoint

from .factories import RiskPointFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def points(sites):
    return [
        RiskPointFactory(site=sites.plant_a, name="1号储罐区", grade="large"),
        RiskPointFactory(site=sites.plant_a, name="装卸站台", grade="low"),
        RiskPointFactory(site=sites.factory_b, name="冲压车间"),
    ]


@pytest.mark.parametrize(
    "bad", ["99999999999999999999", "-99999999999999999999", "9223372036854775808", "²"]
)
@pytest.mark.parametrize("name", ["risks:riskpoint-list", "risks:riskpoint-export"])
def test_an_impossible_site_id_is_an_invalid_filter_not_a_500(client, users, points, name, bad):
    client.force_login(users.manager_a)
    response = client.get(reverse(name), {"site": bad})
    assert response.status_code == 200


def test_a_risk_point_name_with_a_control_character_is_refused(client, users, sites):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:riskpoint-add", args=[sites.plant_a.pk]),
        {
            "name": "装卸\x02作业",
            "kind": "activity",
            "location": "汽车装卸站台",
            "hazard_types": ["fire"],
            "consequences": "泄漏引发火灾\r\n\t人员伤亡\x1b",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "consequences"}
    assert errors["name"] == [
        "This text contains invisible control characters (U+0002). Remove them."
    ]
    assert "(U+001B)" in errors["consequences"][0]  # line breaks and the tab are fine
    assert not RiskPoint.objects.exists()


def test_editing_a_risk_point_refuses_control_characters(client, users, points):
    point = points[0]
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:riskpoint-edit", args=[point.pk]),
        {"name": "1号储罐区\x1f区", "kind": "place", "hazard_types": ["fire"]},
    )
    assert response.status_code == 200
    assert "U+001F" in response.context["form"].errors["name"][0]
    point.refresh_from_db()
    assert point.name == "1号储罐区"


def test_a_control_measure_with_control_characters_is_refused(client, users, points):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("risks:control-add", args=[points[0].pk]),
        {
            "kind": "training",
            "description": "每季度演练\x00",
            "level": "workshop",
            "responsible_person": "王\x08五",
            "check_item": "演练记录\x9f",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "description",
        "responsible_person",
        "check_item",
    }
    assert not ControlMeasure.objects.exists()


def _export_query(content: str) -> dict[str, list[str]]:
    links = re.findall(r'id="export-link" href="([^"]*)"', content)
    assert len(links) == 1, links
    href = links[0].replace("&amp;", "&")
    assert urlsplit(href).path == reverse("risks:riskpoint-export")
    return parse_qs(urlsplit(href).query)


def test_the_filtered_results_fragment_carries_the_export_link_with_its_filters(
    client, users, points
):
    client.force_login(users.manager_a)
    response = client.get(
        reverse("risks:riskpoint-list"),
        {"grade": "large", "sector": "hazardous_chemicals", "page": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.templates[0].name == "risks/partials/_riskpoint_results.html"
    assert _export_query(response.content.decode()) == {
        "grade": ["large"],
        "sector": ["hazardous_chemicals"],
    }


@pytest.mark.parametrize(
    "query",
    [{}, {"grade": "large"}, {"grade": "none"}, {"q": "车间"}, {"site": "1", "grade": "low"}],
)
def test_the_export_has_the_risk_points_the_list_shows(client, users, points, query):
    client.force_login(users.manager_a)
    listed = client.get(reverse("risks:riskpoint-list"), query, headers={"HX-Request": "true"})
    shown = [point.name for point in listed.context["object_list"]]
    exported = client.get(reverse("risks:riskpoint-export"), _export_query(listed.content.decode()))
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[0][3] == "Risk point"
    assert [row[3] for row in rows[1:]] == shown
