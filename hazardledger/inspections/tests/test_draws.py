"""Double-random draws: the same inputs and seed give the same sites and inspectors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.core.errors import InvalidTransition
from hazardledger.inspections.choices import DrawStatus, InspectionKind, InspectionStatus
from hazardledger.inspections.draws import draw_compute, draw_perform, draw_seal, draw_verify
from hazardledger.inspections.models import Draw, Inspection
from hazardledger.inspections.policies import DRAW_POLICY
from hazardledger.regions.choices import DepartmentKind
from hazardledger.registry.choices import SiteKind
from hazardledger.registry.tests.factories import SiteFactory


@pytest.fixture
def pool(orgs, users):
    others = [
        UserFactory(username=f"gz-inspector-{n}", role=Role.INSPECTOR, organisation=orgs.gz_em)
        for n in range(4)
    ]
    return [users.inspector_a, *others]


@pytest.fixture
def plants(orgs, sites):
    extra = [
        SiteFactory(
            name=f"化工厂{n}",
            kind=SiteKind.CHEMICAL_PLANT,
            sector_id="hazardous_chemicals",
            region_id="440112001",
            organisation=orgs.ent_a,
        )
        for n in range(11)
    ]
    return [sites.plant_a, *extra]


def _seal(actor, pool, seed=20230303, size=5):
    return draw_seal(
        actor=actor,
        title="2026年第一季度危化品双随机",
        regions=["4401"],
        sectors=["hazardous_chemicals"],
        site_kinds=[],
        size=size,
        inspector_ids=[u.pk for u in pool],
        planned_on=timezone.localdate() + timedelta(days=7),
        seed=seed,
    )


def test_the_same_parameters_and_seed_give_the_same_sites_and_inspectors():
    sites = list(range(100, 160))
    inspectors = [7, 3, 9, 11, 5]
    first = draw_compute(seed=42, site_ids=sites, inspector_ids=inspectors, size=8)
    again = draw_compute(
        seed=42, site_ids=list(reversed(sites)), inspector_ids=sorted(inspectors), size=8
    )
    other = draw_compute(seed=43, site_ids=sites, inspector_ids=inspectors, size=8)
    assert first == again
    assert first != other
    assert len(set(first["sites"])) == 8 and set(first["sites"]) <= set(sites)
    assert all(len(set(pair)) == 2 and set(pair) <= set(inspectors) for pair in first["pairs"])


def test_two_draws_with_the_same_seed_over_the_same_scope_agree(checklists, users, pool, plants):
    one = draw_perform(actor=users.inspector_a, draw=_seal(users.inspector_a, pool))
    two = draw_perform(actor=users.manager_a, draw=_seal(users.manager_a, pool))
    assert one.inputs["site_ids"] == two.inputs["site_ids"]
    assert one.input_hash == two.input_hash
    assert one.result == two.result


def test_the_seed_and_inputs_are_recorded_before_the_draw(checklists, users, pool, plants):
    draw = _seal(users.inspector_a, pool, seed=None)
    assert draw.status == DrawStatus.SEALED and draw.result == {}
    assert draw.seed and len(draw.input_hash) == 64
    assert draw.inputs["site_ids"] == sorted(p.pk for p in plants)
    assert not Inspection.objects.exists()
    recomputed, hash_ok, _matches = draw_verify(draw=draw)
    assert hash_ok
    draw = draw_perform(actor=users.inspector_a, draw=draw)
    assert draw.result == recomputed
    assert draw_verify(draw=draw)[1:] == (True, True)


def test_performing_plans_one_inspection_per_site_for_its_pair(checklists, users, pool, plants):
    draw = draw_perform(actor=users.inspector_a, draw=_seal(users.inspector_a, pool))
    inspections = list(Inspection.objects.filter(draw=draw).order_by("id"))
    assert [i.site_id for i in inspections] == draw.result["sites"]
    for inspection, pair in zip(inspections, draw.result["pairs"], strict=True):
        assert inspection.kind == InspectionKind.DOUBLE_RANDOM
        assert inspection.status == InspectionStatus.PLANNED
        assert inspection.checklist.code == "hazardous_chemicals"
        assert sorted(inspection.inspectors.values_list("pk", flat=True)) == pair
    with pytest.raises(InvalidTransition):
        draw_perform(actor=users.inspector_a, draw=draw)
    assert Inspection.objects.filter(draw=draw).count() == 5


def test_tampered_inputs_are_detected(checklists, users, pool, plants):
    draw = draw_perform(actor=users.inspector_a, draw=_seal(users.inspector_a, pool))
    draw.inputs["site_ids"] = draw.inputs["site_ids"][1:]
    _recomputed, hash_ok, _matches = draw_verify(draw=draw)
    assert not hash_ok


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"regions": ["4403"]}, "regions"),
        ({"sectors": []}, "sectors"),
        ({"size": 0}, "size"),
        ({"inspector_ids": []}, "inspectors"),
    ],
)
def test_bad_draw_parameters_are_refused(checklists, users, pool, plants, change, field):
    params = {
        "actor": users.inspector_a,
        "title": "x",
        "regions": ["4401"],
        "sectors": ["hazardous_chemicals"],
        "site_kinds": [],
        "size": 3,
        "inspector_ids": [u.pk for u in pool],
        "planned_on": timezone.localdate(),
    }
    params.update(change)
    with pytest.raises(ValidationError) as exc:
        draw_seal(**params)
    assert field in exc.value.message_dict


def test_an_enterprise_may_not_draw(users, pool, plants):
    with pytest.raises(PermissionDenied):
        _seal(users.officer_a, pool)


def test_performing_reads_the_checklists_once_however_many_sites_are_drawn(
    checklists, users, pool, plants
):
    counts = []
    for size in (1, 6):
        draw = _seal(users.inspector_a, pool, size=size)
        with CaptureQueriesContext(connection) as queries:
            draw_perform(actor=users.inspector_a, draw=draw)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- draws over several sectors ----------------------------------------------------------------


@pytest.fixture
def two_sector_form(users, orgs, sites):
    """What inspector A (hazardous chemicals and industry & trade) posts to draw over both."""
    colleague = UserFactory(username="gz-colleague", role=Role.INSPECTOR, organisation=orgs.gz_em)
    return {
        "title": "广州市危化品和工贸企业联合抽查",
        "regions": ["4401"],
        "sectors": ["hazardous_chemicals", "industry_trade"],
        "size": "2",
        "inspectors": [str(users.inspector_a.pk), str(colleague.pk)],
        "planned_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "seed": "5",
    }


def test_an_inspector_draws_over_both_of_his_sectors_and_sees_the_draw(
    client, users, two_sector_form
):
    client.force_login(users.inspector_a)
    response = client.post(reverse("inspections:draw-add"), two_sector_form)
    assert response.status_code == 302
    draw = Draw.objects.get()
    assert response["Location"] == draw.get_absolute_url()
    assert set(draw.sectors.values_list("code", flat=True)) == {
        "hazardous_chemicals",
        "industry_trade",
    }
    assert client.get(draw.get_absolute_url()).status_code == 200
    listing = client.get(reverse("inspections:draw-list")).content.decode()
    assert draw.get_absolute_url() in listing
    assert client.post(reverse("inspections:draw-perform", args=[draw.pk])).status_code == 302
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN


def test_a_draw_over_several_sectors_is_published_to_users_covering_them_all(
    client, users, orgs, two_sector_form
):
    chemicals_only = UserFactory(
        username="gz-chemicals",
        role=Role.INSPECTOR,
        organisation=OrganisationFactory(
            name="广州市危化品监管处",
            kind=OrganisationKind.DEPARTMENT,
            department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
            region_id="4401",
            sectors=["hazardous_chemicals"],
        ),
    )
    client.force_login(users.inspector_a)
    client.post(reverse("inspections:draw-add"), two_sector_form)
    draw = Draw.objects.get()
    expected = {
        users.inspector_a: 200,  # both sectors
        users.manager_a: 200,  # every sector, same city
        users.auditor: 200,
        chemicals_only: 404,  # one of the two sectors only
        users.manager_b: 404,  # another city
    }
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(draw.get_absolute_url()).status_code == status, user.username
    notified = set(DRAW_POLICY.users_with_permission_for_instance("view", draw))
    assert {users.inspector_a, users.manager_a, users.auditor, users.admin} <= notified
    assert not {chemicals_only, users.manager_b, users.officer_a} & notified


def test_a_draw_over_a_sector_outside_the_drawers_area_is_refused(users, pool, plants):
    with pytest.raises(ValidationError) as exc:
        draw_seal(
            actor=users.inspector_a,
            title="x",
            regions=["4401"],
            sectors=["hazardous_chemicals", "mines"],
            site_kinds=[],
            size=1,
            inspector_ids=[u.pk for u in pool],
            planned_on=timezone.localdate(),
        )
    assert "sectors" in exc.value.message_dict
    assert not Draw.objects.exists()
