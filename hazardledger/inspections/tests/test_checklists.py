"""Checklists as data: every shipped file loads, every major item cites a clause that is in
the domain brief's list for its sector, loading is idempotent and versions never change past
inspections."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from hazardledger.core.env import env_bool
from hazardledger.inspections.checklists import (
    checklist_files,
    checklist_load,
    checklist_parse,
    checklist_to_toml,
)
from hazardledger.inspections.clauses import clause_check_domain, clauses_load
from hazardledger.inspections.models import Checklist, ChecklistItem
from hazardledger.inspections.services import inspection_plan

# Messages are matched by their English source text.
pytestmark = pytest.mark.usefixtures("english")

DOMAIN_MD = Path(settings.BASE_DIR).parent / "shared" / "domain.md"
REQUIRED = {
    "coal_mine",
    "metal_mine",
    "hazardous_chemicals",
    "industry_trade",
    "town_gas",
    "fire_crowded_places",
    "building_construction",
    "self_built_houses",
    "flood_season",
    "fishing_vessels",
    "inland_water",
    "road_transport",
}
# The sectors the 2023 national special action named (domain.md 0.5): each has a checklist.
ORDER_SECTORS = {
    "mines",
    "hazardous_chemicals",
    "road_traffic",
    "water_traffic",
    "building_construction",
    "fire_protection",
    "town_gas",
    "fishing_vessels",
    "industry_trade",
}


def test_every_required_checklist_is_shipped_and_loads(checklists):
    assert set(checklists) >= REQUIRED
    for checklist in checklists.values():
        assert checklist.items.exists()
        assert checklist.version == 1


def test_metal_mine_checklist_has_the_open_pit_slope_items(checklists):
    clauses = set(
        checklists["metal_mine"]
        .items.exclude(major_clause="")
        .values_list("major_clause", flat=True)
    )
    assert {"nm-op-4", "nm-op-6", "nm-op-7", "nm-op-8"} <= clauses
    assert "coal-r36-12" in set(
        checklists["coal_mine"].items.values_list("major_clause", flat=True)
    )


@pytest.mark.parametrize("path", checklist_files(), ids=lambda p: p.stem)
def test_every_major_item_cites_a_clause_of_its_sector(db, path):
    spec = checklist_parse(path.read_text(encoding="utf-8"))
    clauses = clauses_load()
    for item in spec.data["items"]:
        if item["major"]:
            clause = clauses[item["major"]]
            assert clause.sector in spec.data["sectors"], item["code"]


def domain_brief_text(path: Path = DOMAIN_MD) -> str:
    """The domain brief's text. Skips the calling test on a machine without the brief; under
    CI (``CI`` true) the brief must be there, so a missing copy fails instead of quietly
    checking nothing."""
    if not path.exists():
        if env_bool("CI", False):
            pytest.fail(f"{path} is absent: CI must keep a copy of shared/ beside the clone")
        pytest.skip(f"{path} is absent (CI keeps a copy of shared/ beside the clone)")
    return path.read_text(encoding="utf-8")


def test_every_clause_exists_in_the_domain_brief():
    """The clause list in the repository (every checklist's major clauses, the new sectors'
    included) against shared/domain.md section 5."""
    text = domain_brief_text()
    problems = [clause_check_domain(clause=c, domain_text=text) for c in clauses_load().values()]
    assert [p for p in problems if p] == []


def test_a_missing_brief_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    missing = tmp_path / "shared" / "domain.md"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must keep a copy"):
        domain_brief_text(missing)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        domain_brief_text(missing)


def test_the_clause_list_is_not_empty_for_the_sectors_with_a_standard():
    sectors = {c.sector for c in clauses_load().values()}
    assert {
        "mines",
        "hazardous_chemicals",
        "industry_trade",
        "town_gas",
        "building_construction",
        "road_traffic",
        "water_traffic",
        "fishing_vessels",
    } <= sectors


def test_every_sector_the_order_names_has_a_checklist(checklists):
    covered = {sector for c in checklists.values() for sector in c.sectors}
    assert covered >= ORDER_SECTORS, ORDER_SECTORS - covered


@pytest.mark.parametrize(
    ("code", "clauses"),
    [
        ("fishing_vessels", {f"fish-{n}" for n in range(1, 9)}),
        ("inland_water", {f"water-a4-{n}" for n in range(1, 8)}),
        ("road_transport", {"road-a3-1", "road-a3-2", "road-a3-3", "road-a3-4", "road-a4-1"}),
        (
            "building_construction",
            {
                "hmc-a8-towers",
                "hmc-a8-hoists",
                "hmc-a8-erection",
                "hmc-a8-arrester",
                "hmc-a8-foundation",
                "hmc-a9-supports",
                "hmc-a9-trusses",
            },
        ),
        ("industry_trade", {f"it-a6-{n}" for n in (2, 3, 5, 6, 7, 8)}),
    ],
)
def test_the_new_items_cite_their_clauses(checklists, code, clauses):
    cited = set(checklists[code].items.values_list("major_clause", flat=True))
    assert clauses <= cited, clauses - cited


def test_an_open_pit_and_an_underground_coal_mine_get_different_items(
    client, checklists, users, orgs
):
    """The open pit gets the slope items (monitoring, stability analysis, evacuation on
    falling rock: the Xinjing accident) and none of the methane and ventilation items; the
    underground mine the reverse; the field page and the submission follow the mine type."""
    from hazardledger.inspections.selectors import checklist_items_for_site
    from hazardledger.inspections.sync import inspection_sync
    from hazardledger.inspections.tests.conftest import sync_document
    from hazardledger.registry.tests.factories import SiteFactory

    mine = {"kind": "coal_mine", "sector_id": "mines", "region_id": "440106001"}
    open_pit = SiteFactory(name="露天煤矿", mine_type="open_pit", **mine)
    underground = SiteFactory(name="井工煤矿", mine_type="underground", **mine)
    unknown = SiteFactory(name="类型未登记煤矿", **mine)
    coal = checklists["coal_mine"]
    codes = {
        site.name: {i.code for i in checklist_items_for_site(checklist=coal, site=site)}
        for site in (open_pit, underground, unknown)
    }
    slope = {"coal-16", "coal-g01", "coal-g04", "coal-g05", "coal-g06"}
    methane_ventilation = {"coal-02", "coal-03", "coal-04", "coal-05"}
    assert slope <= codes["露天煤矿"] and not methane_ventilation & codes["露天煤矿"]
    assert methane_ventilation <= codes["井工煤矿"] and not slope & codes["井工煤矿"]
    assert codes["类型未登记煤矿"] == codes["露天煤矿"] | codes["井工煤矿"]
    shared = {"coal-01", "coal-07", "coal-12", "coal-13", "coal-15"}
    assert shared <= codes["露天煤矿"] & codes["井工煤矿"]

    inspections = {
        site.name: inspection_plan(
            actor=users.admin,
            site=site,
            kind="routine",
            checklist=coal,
            planned_on=date.today(),
            start=True,
        )
        for site in (open_pit, underground)
    }
    client.force_login(users.admin)
    page = client.get(reverse("inspections:inspection-conduct", args=[inspections["露天煤矿"].pk]))
    assert b'data-testid="item-coal-g06"' in page.content
    assert b'data-testid="item-coal-05"' not in page.content
    # The open pit's submission answers only its own items; an underground item is refused.
    pit = inspections["露天煤矿"]
    document = sync_document(pit)
    stray = coal.items.get(code="coal-05")
    bad = {
        **document,
        "results": [*document["results"], {**document["results"][0], "item": stray.pk}],
    }
    with pytest.raises(ValidationError) as exc:
        inspection_sync(actor=users.admin, inspection=pit, document=bad)
    assert any("not on this checklist" in m for m in exc.value.messages)
    inspection_sync(actor=users.admin, inspection=pit, document=document)
    pit.refresh_from_db()
    assert pit.status == "submitted"
    assert set(pit.results.values_list("item__code", flat=True)) == codes["露天煤矿"]


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ('when = { depth = "deep" }', "unknown site attribute"),
        ('when = { mine_type = "sideways" }', "must be one or more of"),
        ("when = { mine_type = [] }", "must be one or more of"),
        ('when = "open_pit"', "must be a table"),
    ],
)
def test_a_bad_condition_is_refused(db, when, message):
    text = HEAD + 'sectors = ["mines"]\n' + ITEM + when + "\n"
    with pytest.raises(ValidationError) as exc:
        checklist_load(text=text)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert not Checklist.objects.filter(code="x").exists()


def test_a_condition_loads_and_exports_back(db):
    text = HEAD + 'sectors = ["mines"]\n' + ITEM + 'when = { mine_type = "open_pit" }\n'
    checklist, created = checklist_load(text=text)
    assert created and checklist.items.get().conditions == {"mine_type": ["open_pit"]}
    again, created = checklist_load(text=checklist_to_toml(checklist))
    assert not created and again.pk == checklist.pk


def test_a_clause_not_in_the_brief_is_reported():
    clause = clauses_load()["hc-12"]
    text = "### 5.3 Hazardous chemicals\n\n12. Something else entirely.\n"
    assert clause_check_domain(clause=clause, domain_text=text) is not None


def test_loading_again_is_idempotent(checklists):
    before = Checklist.objects.count(), ChecklistItem.objects.count()
    call_command("load_checklists", verbosity=0)
    assert (Checklist.objects.count(), ChecklistItem.objects.count()) == before


def test_a_changed_file_is_a_new_version_and_past_inspections_keep_theirs(checklists, users, sites):
    old = checklists["hazardous_chemicals"]
    inspection = inspection_plan(
        actor=users.inspector_a,
        site=sites.plant_a,
        kind="routine",
        checklist=old,
        planned_on=date.today(),
    )
    text = checklist_to_toml(old).replace(
        "主要负责人和安全生产管理人员依法经考核合格", "主要负责人依法考核合格"
    )
    new, created = checklist_load(text=text, actor=users.admin)
    assert created and new.version == 2 and new.is_current
    old.refresh_from_db()
    inspection.refresh_from_db()
    assert not old.is_current
    assert inspection.checklist_id == old.pk
    assert old.items.get(code="hc-01").text_zh == "主要负责人和安全生产管理人员依法经考核合格"
    assert new.items.get(code="hc-01").text_zh == "主要负责人依法考核合格"


def test_the_exported_file_loads_back_unchanged(checklists):
    for checklist in checklists.values():
        again, created = checklist_load(text=checklist_to_toml(checklist))
        assert not created and again.pk == checklist.pk


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code = ", "not valid TOML"),
        ('code = "x"\ntitle_zh = "a"\ntitle_en = "b"\n', "at least one"),
        (
            'code = "x"\ntitle_zh = "a"\ntitle_en = "b"\nsectors = ["town_gas"]\n'
            '[[items]]\ncode = "a"\ntext_zh = "甲"\ntext_en = "A"\nmajor = "hc-12"\n',
            "belongs to sector",
        ),
        (
            'code = "x"\ntitle_zh = "a"\ntitle_en = "b"\nsectors = ["town_gas"]\n'
            '[[items]]\ncode = "a"\ntext_zh = "甲"\ntext_en = "A"\nmajor = "nope-1"\n',
            "not in the clause list",
        ),
        (
            'code = "x"\ntitle_zh = "a"\ntitle_en = "b"\nsectors = ["nowhere"]\n'
            '[[items]]\ncode = "a"\ntext_zh = "甲"\ntext_en = "A"\n',
            "known sector",
        ),
    ],
)
def test_a_bad_file_is_refused_and_nothing_changes(db, text, message):
    with pytest.raises(ValidationError) as exc:
        checklist_load(text=text)
    assert any(message in m for m in exc.value.messages)
    assert not Checklist.objects.filter(code="x").exists()


# --- hostile files (issue 8 item 5) -----------------------------------------------------------

DEEP_ARRAY = "code = " + "[" * 5_000 + "]" * 5_000 + "\n"
DEEP_TABLE = "code = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n"
ITEM = '[[items]]\ncode = "a"\ntext_zh = "甲"\ntext_en = "A"\n'
HEAD = 'code = "x"\ntitle_zh = "a"\ntitle_en = "b"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (DEEP_ARRAY, "nests arrays or tables too deeply"),
        (DEEP_TABLE, "nests arrays or tables too deeply"),
        (HEAD + 'sectors = [["town_gas"]]\n' + ITEM, "known sector"),
        (HEAD + "site_kinds = [{a = 1}]\n" + ITEM, "known site kinds"),
        (HEAD + 'sectors = ["town_gas"]\n' + ITEM + "major = [1, [2]]\n", "must name a clause"),
        (HEAD + ITEM + "category = [[1]]\n", "unknown category list"),
    ],
)
def test_a_hostile_file_is_refused_with_a_message(db, text, message):
    with pytest.raises(ValidationError) as exc:
        checklist_load(text=text)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert not Checklist.objects.filter(code="x").exists()


def test_a_deeply_nested_upload_is_a_form_error(client, users, checklists):
    client.force_login(users.admin)
    upload = SimpleUploadedFile("deep.toml", DEEP_ARRAY.encode(), content_type="application/toml")
    response = client.post(reverse("inspections:checklist-upload"), {"file": upload})
    assert response.status_code == 200
    assert "too deeply" in response.context["form"].errors["file"][0]
    assert Checklist.objects.count() == len(checklists)
