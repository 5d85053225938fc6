"""Supervision listings (挂牌督办): proposing, confirming, refusing, delisting, the published
list per level with days left, its export, the panels and the queue, and who sees what."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.core.errors import InvalidTransition, NotAllowed, NotFound
from hazardledger.hazards.choices import HazardGrade, HazardStatus, ListingLevel
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.tests.factories import record
from hazardledger.supervision.models import Listing
from hazardledger.supervision.services.listings import (
    ListingProposal,
    listing_confirm,
    listing_create,
    listing_delist,
    listing_propose,
)

from .helpers import close_major_hazard, history_problems


def _proposal(days: int = 60, stop: str = "part") -> ListingProposal:
    return ListingProposal(
        required_by=local_today() + timedelta(days=days),
        stop=stop,
        officials=({"name": "王明", "post": "副市长"},),
        grounds="重大事故隐患，整改难度大",
    )


def _form(days: int = 60, **extra: str) -> dict[str, str]:
    return {
        "required_by": (local_today() + timedelta(days=days)).isoformat(),
        "stop": "part",
        "officials": "王明，副市长\n李华, 安委办主任",
        "grounds": "重大事故隐患，整改难度大",
        **extra,
    }


@pytest.fixture
def major(users: SimpleNamespace, sites: SimpleNamespace) -> Hazard:
    """A major hazard at enterprise A's plant, found by its safety officer."""
    return record(sites.plant_a, users.officer_a, HazardGrade.MAJOR)


@pytest.fixture
def province(orgs: SimpleNamespace) -> Any:
    """The provincial safety committee office (Guangdong, all sectors)."""
    office = OrganisationFactory(
        name="广东省安委办", kind=OrganisationKind.OFFICE, region_id="44", all_sectors=True
    )
    return UserFactory(username="province_office", role=Role.OFFICE, organisation=office)


@pytest.fixture
def listings(users: SimpleNamespace, sites: SimpleNamespace, orgs: SimpleNamespace) -> Any:
    """A Guangzhou listing (city, by manager_a) and a Shenzhen one (city, by manager_b), and a
    Guangzhou proposal by the inspector that is not confirmed yet."""
    gz_hazard = record(sites.plant_a, users.officer_a, HazardGrade.MAJOR)
    sz_officer = UserFactory(role=Role.ENTERPRISE_OFFICER, organisation=orgs.ent_c)
    sz_hazard = record(sites.shenzhen_c, sz_officer, HazardGrade.MAJOR)
    proposed_hazard = record(sites.plant_a, users.officer_a, HazardGrade.MAJOR)
    return SimpleNamespace(
        gz=listing_create(
            actor=users.manager_a,
            hazard=gz_hazard,
            proposal=_proposal(),
            document_number="穗安委办督〔2026〕1号",
        ),
        sz=listing_create(
            actor=users.manager_b,
            hazard=sz_hazard,
            proposal=_proposal(),
            document_number="深安委办督〔2026〕7号",
        ),
        proposed=listing_propose(
            actor=users.inspector_a, hazard=proposed_hazard, proposal=_proposal()
        ),
    )


# --- listing, proposing, refusing ---------------------------------------------------------------


def test_an_office_lists_a_major_hazard_and_its_required_date_becomes_the_deadline(
    client, users, major
):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("supervision:listing-propose", args=[major.pk]),
        _form(days=45, document_number="穗安委办督〔2026〕3号"),
    )
    listing = Listing.objects.get(hazard=major)
    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()
    assert listing.status == Listing.Status.LISTED
    assert listing.level == ListingLevel.CITY
    assert listing.body_name == "广州市安委办"
    assert listing.officials == [
        {"name": "王明", "post": "副市长"},
        {"name": "李华", "post": "安委办主任"},
    ]
    major.refresh_from_db()
    assert major.deadline == local_today() + timedelta(days=45)
    assert major.production_stop == "part"
    assert major.listing_level == "city"
    event = major.events.order_by("-seq").first()
    assert event.action == "list"
    assert event.data["document_number"] == "穗安委办督〔2026〕3号"
    assert history_problems(major) == []


def test_a_department_proposes_and_the_office_confirms(client, users, major):
    deadline = major.deadline
    client.force_login(users.inspector_a)
    page = client.get(reverse("supervision:listing-propose", args=[major.pk]))
    assert "document_number" not in page.context["form"].fields
    client.post(reverse("supervision:listing-propose", args=[major.pk]), _form(days=50))
    listing = Listing.objects.get(hazard=major)
    assert listing.status == Listing.Status.PROPOSED
    assert listing.proposing_body_name == "广州市应急管理局"
    major.refresh_from_db()
    assert major.deadline == deadline
    assert not major.events.filter(action="list").exists()

    client.force_login(users.manager_a)
    response = client.post(
        reverse("supervision:listing-confirm", args=[listing.pk]),
        {
            "document_number": "穗安委办督〔2026〕4号",
            "required_by": (local_today() + timedelta(days=40)).isoformat(),
            "stop": "whole",
        },
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    major.refresh_from_db()
    assert listing.status == Listing.Status.LISTED
    assert listing.document_number == "穗安委办督〔2026〕4号"
    assert major.deadline == local_today() + timedelta(days=40)
    assert major.production_stop == "whole"


def test_the_office_refuses_a_proposal_with_a_reason_and_the_hazard_stays_as_it_was(
    client, users, major
):
    listing = listing_propose(actor=users.inspector_a, hazard=major, proposal=_proposal())
    client.force_login(users.manager_a)
    url = reverse("supervision:listing-refuse", args=[listing.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    client.post(url, {"reason": "由区级督办"})
    listing.refresh_from_db()
    major.refresh_from_db()
    assert listing.status == Listing.Status.REFUSED
    assert listing.refusal_reason == "由区级督办"
    assert major.listing_level == ""
    # A refused proposal leaves room for a new one.
    listing_propose(actor=users.inspector_a, hazard=major, proposal=_proposal())


def test_a_department_proposes_only_in_its_sectors(client, users, sites):
    house_hazard = record(sites.house, users.grid, HazardGrade.MAJOR)
    client.force_login(users.inspector_a)
    url = reverse("supervision:listing-propose", args=[house_hazard.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    with pytest.raises(NotFound):
        listing_propose(actor=users.inspector_a, hazard=house_hazard, proposal=_proposal())
    assert not Listing.objects.exists()


def test_only_an_open_major_hazard_is_listed_and_only_once(users, sites, major):
    general = record(sites.plant_a, users.officer_a, HazardGrade.GENERAL)
    with pytest.raises(InvalidTransition):
        listing_propose(actor=users.inspector_a, hazard=general, proposal=_proposal())
    listing_propose(actor=users.inspector_a, hazard=major, proposal=_proposal())
    with pytest.raises(InvalidTransition):
        listing_propose(actor=users.manager_a, hazard=major, proposal=_proposal())


def test_an_enterprise_cannot_propose_or_decide(client, users, major):
    listing = listing_create(
        actor=users.manager_a, hazard=major, proposal=_proposal(), document_number="穗督1号"
    )
    client.force_login(users.officer_a)
    assert client.get(reverse("supervision:listing-propose", args=[major.pk])).status_code == 403
    with pytest.raises(NotAllowed):
        listing_propose(actor=users.officer_a, hazard=major, proposal=_proposal())
    delist = reverse("supervision:listing-delist", args=[listing.pk])
    assert client.post(delist, {"delist_document_number": "x"}).status_code == 403


def test_a_required_date_in_the_past_is_refused_beside_its_field(client, users, major):
    client.force_login(users.manager_a)
    response = client.post(
        reverse("supervision:listing-propose", args=[major.pk]),
        _form(days=-1, document_number="穗督2号"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["required_by"]
    assert not Listing.objects.exists()


# --- delisting ------------------------------------------------------------------------------


def test_only_the_listing_body_delists_and_only_after_the_hazard_is_closed(users, major, province):
    listing = listing_create(
        actor=users.manager_a, hazard=major, proposal=_proposal(), document_number="穗督3号"
    )
    with pytest.raises(InvalidTransition):
        listing_delist(actor=users.manager_a, listing=listing, document_number="穗摘1号")
    close_major_hazard(major, users)
    with pytest.raises(NotFound):
        listing_delist(actor=users.manager_b, listing=listing, document_number="穗摘1号")
    with pytest.raises(NotAllowed):
        listing_delist(actor=province, listing=listing, document_number="穗摘1号")
    listing_delist(actor=users.manager_a, listing=listing, document_number="穗摘1号")
    listing.refresh_from_db()
    major.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED
    assert major.status == HazardStatus.CLOSED
    assert major.listing_level == ""
    assert list(major.events.order_by("seq").values_list("action", flat=True))[-1] == "delist"
    assert history_problems(major) == []


def test_a_listing_already_confirmed_is_not_confirmed_again(users, major):
    listing = listing_propose(actor=users.inspector_a, hazard=major, proposal=_proposal())
    listing_confirm(actor=users.manager_a, listing=listing, document_number="穗督5号")
    with pytest.raises(InvalidTransition):
        listing_confirm(actor=users.manager_a, listing=listing, document_number="穗督6号")
    assert Hazard.objects.get(pk=major.pk).events.filter(action="list").count() == 1


# --- the published list and its export --------------------------------------------------------


def _rows(client, url: str, **query: str) -> list[str]:
    response = client.get(url, query)
    assert response.status_code == 200
    return [listing.document_number for listing in response.context["page_obj"]]


def test_the_list_shows_each_office_its_scope(client, users, listings, province):
    url = reverse("supervision:listing-list")
    client.force_login(users.manager_a)
    assert _rows(client, url) == ["穗安委办督〔2026〕1号"]
    client.force_login(users.manager_b)
    assert _rows(client, url) == ["深安委办督〔2026〕7号"]
    client.force_login(province)
    assert sorted(_rows(client, url)) == ["深安委办督〔2026〕7号", "穗安委办督〔2026〕1号"]
    assert _rows(client, url, region="4403") == ["深安委办督〔2026〕7号"]
    assert _rows(client, url, level="province") == []
    assert _rows(client, url, sector="industry_trade") == ["深安委办督〔2026〕7号"]
    client.force_login(users.officer_a)
    assert _rows(client, url) == ["穗安委办督〔2026〕1号"]
    client.force_login(users.officer_b)
    assert _rows(client, url) == []


def test_nobody_out_of_scope_gets_anything_but_404(client, users, listings):
    gz, proposed = listings.gz, listings.proposed
    for persona in ("manager_b", "officer_b"):
        client.force_login(getattr(users, persona))
        for name, pk in (
            ("supervision:listing-detail", gz.pk),
            ("supervision:listing-detail", proposed.pk),
        ):
            assert client.get(reverse(name, args=[pk])).status_code == 404
        for name in ("supervision:listing-confirm", "supervision:listing-refuse"):
            assert client.post(reverse(name, args=[proposed.pk]), {}).status_code == 404
        assert client.post(reverse("supervision:listing-delist", args=[gz.pk])).status_code == 404
        assert (
            client.get(reverse("supervision:listing-propose", args=[gz.hazard_id])).status_code
            == 404
        )


def test_an_enterprise_sees_its_listed_hazards_read_only_and_no_proposals(client, users, listings):
    client.force_login(users.officer_a)
    page = client.get(reverse("supervision:listing-detail", args=[listings.gz.pk]))
    assert page.status_code == 200
    assert page.context["forms"] == {"confirm": None, "refuse": None, "delist": None}
    assert (
        client.get(reverse("supervision:listing-detail", args=[listings.proposed.pk])).status_code
        == 404
    )
    hazard_page = client.get(listings.proposed.hazard.get_absolute_url())
    assert 'data-testid="hazard-listing"' not in hazard_page.content.decode()


def test_days_left_turn_negative_and_highlighted_after_the_required_date(client, users, listings):
    client.force_login(users.manager_a)
    url = reverse("supervision:listing-list")
    page = client.get(url)
    assert [listing.left for listing in page.context["page_obj"]] == [60]
    assert "table-danger" not in page.content.decode()
    with time_machine.travel(local_today() + timedelta(days=63), tick=False):
        client.force_login(users.manager_a)  # the first session has expired by then
        page = client.get(url)
    assert [listing.left for listing in page.context["page_obj"]] == [-3]
    assert "table-danger" in page.content.decode()


def _export(client, **query: str) -> list[list[Any]]:
    response = client.get(reverse("supervision:listing-export"), query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_is_the_regulators_ledger_with_the_listing_columns(
    client, users, listings, province
):
    client.force_login(users.manager_a)
    header, *rows = _export(client)
    for column in (
        "企业名称",
        "所属行业",
        "所在地区",
        "检查来源",
        "整改期限",
        "挂牌督办级别",
        "督办文号",
    ):
        assert column in header
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["督办文号"] == "穗安委办督〔2026〕1号"
    assert row["挂牌督办级别"] == "市级"
    assert row["企业名称"] == "广州甲化工有限公司"

    client.force_login(province)
    header, *rows = _export(client)
    numbers = sorted(dict(zip(header, row, strict=True))["督办文号"] for row in rows)
    assert numbers == ["深安委办督〔2026〕7号", "穗安委办督〔2026〕1号"]
    header, *rows = _export(client, region="4401")
    assert [dict(zip(header, row, strict=True))["督办文号"] for row in rows] == [
        "穗安委办督〔2026〕1号"
    ]

    client.force_login(users.officer_b)
    assert _export(client)[1:] == []


# --- where listings show ----------------------------------------------------------------------


def test_a_listing_shows_on_the_hazard_the_site_and_the_enterprises_queue(
    client, users, sites, listings
):
    hazard = listings.gz.hazard
    client.force_login(users.officer_a)
    assert "穗安委办督〔2026〕1号" in client.get(hazard.get_absolute_url()).content.decode()
    site_page = client.get(reverse("registry:site-detail", args=[sites.plant_a.pk]))
    assert "穗安委办督〔2026〕1号" in site_page.content.decode()
    queue = client.get(reverse("hazards:hazard-queue"))
    sections = {section.key: section for section in queue.context["sections"]}
    assert [h.pk for h in sections["listed"].hazards] == [hazard.pk]
    client.force_login(users.manager_a)
    queue = client.get(reverse("hazards:hazard-queue"))
    sections = {section.key: section for section in queue.context["sections"]}
    assert [h.pk for h in sections["listing_proposals"].hazards] == [listings.proposed.hazard_id]
