"""Issue 11, item 8: a page past the end of any list shows its last page instead of 404 (a
bookmarked ``/hazards/?page=999`` keeps working once rows are closed or filtered away), and a
page that is not one shows the first."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from hazardledger.core.pagination import nearest_page
from hazardledger.hazards.tests.factories import record
from hazardledger.hazards.views import HazardListView
from hazardledger.registry.views import SiteListView

pytestmark = pytest.mark.django_db

# Every paginated list page, with a persona who may see it.
LISTS = [
    ("hazards:hazard-list", "manager_a"),
    ("hazards:report-list", "officer_a"),
    ("registry:site-list", "manager_a"),
    ("risks:riskpoint-list", "manager_a"),
    ("risks:inspection-due-list", "inspector_a"),
    ("inspections:inspection-list", "inspector_a"),
    ("supervision:listing-list", "manager_a"),
    ("supervision:order-list", "inspector_a"),
    ("notifications:notice-list", "officer_a"),
]


@pytest.mark.parametrize(("name", "persona"), LISTS)
def test_it_shows_the_last_page_for_a_page_past_the_end(client, users, sites, name, persona):
    client.force_login(getattr(users, persona))
    response = client.get(reverse(name), {"page": "999"})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages


@pytest.mark.parametrize(("name", "persona"), LISTS)
@pytest.mark.parametrize("number", ["0", "-2", "x", "9" * 5000])
def test_it_shows_the_first_page_for_a_page_that_is_not_one(
    client, users, sites, name, persona, number
):
    client.force_login(getattr(users, persona))
    response = client.get(reverse(name), {"page": number})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_the_ledger_past_its_end_shows_the_rows_of_its_last_page(client, users, sites, monkeypatch):
    monkeypatch.setattr(HazardListView, "paginate_by", 2)
    oldest = record(sites.plant_a, users.officer_a, description="最早的隐患")
    for n in range(2):
        record(sites.plant_a, users.officer_a, description=f"较新的隐患{n}")
    client.force_login(users.manager_a)

    response = client.get(reverse("hazards:hazard-list"), {"page": "999", "sort": "-found"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert [h.pk for h in response.context["object_list"]] == [oldest.pk]
    assert "最早的隐患" in response.content.decode()


def test_a_filtered_site_list_past_its_end_keeps_the_filter(client, users, sites, monkeypatch):
    monkeypatch.setattr(SiteListView, "paginate_by", 1)
    client.force_login(users.manager_a)
    response = client.get(reverse("registry:site-list"), {"region": "440112", "page": "7"})
    assert response.status_code == 200
    assert [s.pk for s in response.context["object_list"]] == [sites.plant_a.pk]


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("2", 2),
        ("3", 3),
        ("4", 3),
        ("999", 3),
        ("last", 3),
        ("0", 1),
        ("-1", 1),
        ("x", 1),
        (None, 1),
        ("", 1),
        ("1.5", 1),
        ("9" * 5000, 1),
    ],
)
def test_nearest_page(number, expected):
    assert nearest_page(Paginator(list(range(25)), 10), number).number == expected
