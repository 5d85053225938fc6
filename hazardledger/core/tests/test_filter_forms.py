"""Issue 11, item 1, at the view level: a list's filter form states every filter of its
filterset exactly once (a control, or a hidden input carrying a filter a link set), and the
fragment HTMX fetches brings the region dropdown back with the chosen region's townships.

The first test guards the template against a filter added to a filterset later (dates,
"escalated", …): without a control it is carried; given a control, it must be named in the
template's ``carried_filters … shown`` list, or the form would send it twice."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from hazardledger.hazards.filtersets import HazardFilterSet
from hazardledger.registry.filtersets import SiteFilterSet
from hazardledger.risks.filtersets import RiskPointFilterSet

pytestmark = pytest.mark.django_db

LISTS = [
    ("hazards:hazard-list", HazardFilterSet, "hazard-filters"),
    ("registry:site-list", SiteFilterSet, "site-filters"),
    ("risks:riskpoint-list", RiskPointFilterSet, "risk-filters"),
]


class _FormFields(HTMLParser):
    """The names of the fields (input, select, textarea) inside the form with ``form_id``."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.names = form_id, False, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag in {"input", "select", "textarea"} and a.get("name"):
            self.names.append(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


@pytest.mark.parametrize(("name", "filterset", "form_id"), LISTS)
def test_every_filter_is_in_the_form_exactly_once(client, users, name, filterset, form_id):
    client.force_login(users.manager_a)
    every_filter_set = dict.fromkeys(filterset.base_filters, "1")
    response = client.get(reverse(name), every_filter_set)
    assert response.status_code == 200
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    assert sorted(parser.names) == sorted(filterset.base_filters)


@pytest.mark.parametrize(("name", "filterset", "form_id"), LISTS)
def test_a_filter_a_link_set_rides_along_as_a_hidden_input(
    client, users, sites, name, filterset, form_id
):
    client.force_login(users.manager_a)
    response = client.get(reverse(name), {"site": str(sites.plant_a.pk)})
    html = response.content.decode()
    if "site" in filterset.base_filters:
        assert f'<input type="hidden" name="site" value="{sites.plant_a.pk}">' in html
    else:
        assert 'name="site"' not in html


@pytest.mark.parametrize("name", ["hazards:hazard-list", "registry:site-list"])
def test_the_htmx_fragment_brings_the_region_dropdown_back_with_the_townships(client, users, name):
    client.force_login(users.manager_a)
    page = client.get(reverse(name), {"region": "440106"}).content.decode()
    # The full page: one region dropdown, with no request of its own (the form's serves it).
    assert page.count('id="id_region"') == 1
    select = re.search(r'<select[^>]*id="id_region"[^>]*>', page)
    assert select and "hx-get" not in select.group(0)

    fragment = client.get(reverse(name), {"region": "440106"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<nav" not in html  # the results, not the page
    select = re.search(r'<select[^>]*id="id_region"[^>]*>(.*?)</select>', html, re.S)
    assert select and 'hx-swap-oob="true"' in select.group(0)
    assert '<option value="440106" selected>' in select.group(1)
    assert '<option value="440106001">' in select.group(1)  # 五山街道, Tianhe's street

    # Paging and the other fragments keep it too; a boosted request gets the whole page.
    boosted = client.get(
        reverse(name), {"region": "440106"}, headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert boosted.content.decode().count('id="id_region"') == 1
    assert 'hx-swap-oob="true"' not in boosted.content.decode()
