"""Issue 11.10: the demo's hazards fit their sites. Every major hazard cites a clause of its own
site's sector (the clause list the checklists use, ``checklists/clauses.toml``), written as a
confirmed checklist item writes it; every hazard's place and text is one the demo finds at that
kind of site, and none speaks of what such a site does not have (a reactor at a house). The
drafts the demo's inspections leave are for items that apply to their site, with no place
filled in for the inspector."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from hazardledger.hazards.choices import HazardGrade
from hazardledger.hazards.demo_findings import STANDARDS, findings_for
from hazardledger.hazards.models import Hazard
from hazardledger.inspections.clauses import clauses_load
from hazardledger.inspections.models import HazardDraft
from hazardledger.registry.choices import SiteKind

pytestmark = pytest.mark.django_db

# Words that belong to some kinds of site only.
WORDS_OF_KINDS: dict[str, set[str]] = {
    "反应釜": {SiteKind.CHEMICAL_PLANT},
    "罐区": {SiteKind.CHEMICAL_PLANT, SiteKind.GAS_FACILITY, SiteKind.FUEL_STATION},
    "油罐": {SiteKind.FUEL_STATION},
    "加油": {SiteKind.FUEL_STATION},
    "瓦斯": {SiteKind.COAL_MINE},
    "井下": {SiteKind.COAL_MINE, SiteKind.METAL_MINE},
    "采场": {SiteKind.COAL_MINE, SiteKind.METAL_MINE},
    "脚手架": {SiteKind.CONSTRUCTION_PROJECT},
    "塔式起重机": {SiteKind.CONSTRUCTION_PROJECT},
    "基坑": {SiteKind.CONSTRUCTION_PROJECT},
    "船": {SiteKind.FISHING_VESSEL, SiteKind.PASSENGER_VESSEL},
    "渔": {SiteKind.FISHING_VESSEL},
    "承重墙": {SiteKind.SELF_BUILT_HOUSE},
    "除尘": {SiteKind.FACTORY},
    "调压箱": {SiteKind.GAS_FACILITY},
    "储配站": {SiteKind.GAS_FACILITY},
}


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", "--sites", "400", stdout=io.StringIO())


def test_the_demo_standards_are_those_of_the_clause_list():
    clauses = clauses_load()
    documents = {(c.standard, c.sector, c.document_zh) for c in clauses.values()}
    for standard, (sector, document) in STANDARDS.items():
        assert (standard, sector, document) in documents, standard


def test_every_major_demo_hazard_cites_a_clause_of_its_sites_sector(demo):
    clauses = clauses_load()
    majors = Hazard.objects.filter(grade=HazardGrade.MAJOR).select_related("site")
    assert majors.count() >= 3
    for hazard in majors:
        cited = re.findall(r"（([a-z0-9-]+)）", hazard.grade_basis)
        assert len(cited) == 1, hazard.grade_basis
        clause = clauses[cited[0]]
        assert clause.sector == hazard.site.sector_id == hazard.sector_id, hazard.grade_basis
        assert hazard.grade_basis.startswith(clause.label_zh), hazard.grade_basis
        assert hazard.grade_basis.endswith(hazard.description)


def test_every_demo_hazard_fits_its_sites_kind(demo):
    hazards = Hazard.objects.select_related("site")
    assert hazards.count() >= 100
    kinds_seen = set()
    for hazard in hazards:
        site = hazard.site
        kinds_seen.add(site.kind)
        general, majors = findings_for(site)
        fitting = majors if hazard.grade == HazardGrade.MAJOR else general
        assert (hazard.location, hazard.description, hazard.category) in {
            (f.location, f.description, f.category) for f in fitting
        }, (site.kind, hazard.location, hazard.description)
        text = hazard.location + hazard.description
        for word, kinds in WORDS_OF_KINDS.items():
            assert word not in text or site.kind in kinds, (site.kind, text)
    assert SiteKind.SELF_BUILT_HOUSE in kinds_seen


def test_no_house_has_a_reactor_and_no_sign_is_major(demo):
    houses = Hazard.objects.filter(site__kind=SiteKind.SELF_BUILT_HOUSE)
    assert houses.exists()
    assert not houses.filter(grade=HazardGrade.MAJOR).exists()
    assert not houses.filter(location__contains="反应").exists()
    assert not Hazard.objects.filter(
        grade=HazardGrade.MAJOR, description__contains="警示标志"
    ).exists()


def test_the_demo_drafts_are_for_items_of_their_site_with_no_place_filled_in(demo):
    drafts = HazardDraft.objects.select_related("inspection__site", "result__item")
    assert drafts.exists()
    for draft in drafts:
        assert draft.location == ""
        assert draft.result.item.applies_to_site(draft.inspection.site)
        assert "标志缺失" not in draft.description or "标志" in draft.result.item.text_zh
