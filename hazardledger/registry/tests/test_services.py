"""Site services: who may register, change and move a site (enforced by the services, whatever
page or form calls them), the conflict on a stale page, and the audit rows and outbox events
every change writes in its transaction."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import Workbook

from hazardledger.audit.models import AuditEvent
from hazardledger.core.errors import Conflict, NotAllowed, NotFound
from hazardledger.core.models import OutboxEvent
from hazardledger.regions.models import Region, Sector
from hazardledger.registry.models import Site
from hazardledger.registry.services import (
    ConcurrentEditError,
    SiteOutsideScope,
    site_create,
    site_update,
)
from hazardledger.registry.transfer import site_import
from hazardledger.risks.models import RiskPoint
from hazardledger.risks.tests.factories import RiskPointFactory

pytestmark = pytest.mark.django_db


def _new_site(**changes):
    data = {
        "name": "新建自建房",
        "kind": "self_built_house",
        "sector": Sector.objects.get(code="self_built_houses"),
        "region": Region.objects.get(code="440106001"),
        "address": "五山路1号",
        "status": "operating",
        "attributes": {"floors": 5},
    }
    data.update(changes)
    return data


def _untouched(site):
    """Nothing was written for ``site``: same version, no audit row, no outbox event."""
    fresh = Site.objects.get(pk=site.pk)
    assert fresh.version == site.version
    assert not AuditEvent.objects.filter(object_type="registry.site").exists()
    assert not OutboxEvent.objects.filter(object_type="registry.site").exists()
    return fresh


# --- Registering ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer_a", "principal_a", "auditor"])
def test_site_create_refuses_a_role_that_may_not_register_sites(users, persona):
    with pytest.raises(NotAllowed):
        site_create(actor=getattr(users, persona), data=_new_site())
    assert not Site.objects.filter(name="新建自建房").exists()
    assert not OutboxEvent.objects.exists()


def test_site_create_outside_the_actors_area_is_refused(users):
    with pytest.raises(SiteOutsideScope):
        site_create(
            actor=users.manager_a, data=_new_site(region=Region.objects.get(code="440305001"))
        )
    assert not Site.objects.filter(name="新建自建房").exists()


def test_site_create_is_audited_and_written_to_the_outbox(users):
    site = site_create(actor=users.grid, data=_new_site())
    audit = AuditEvent.objects.get(action="registry.site.create")
    assert (audit.actor, audit.object_id) == (users.grid, str(site.pk))
    assert audit.after["region"] == "440106001"
    event = OutboxEvent.objects.get()
    assert (event.topic, event.object_type, event.object_id, event.region_code, event.actor_id) == (
        "registry.site.create",
        "registry.site",
        str(site.pk),
        "440106001",
        users.grid.pk,
    )
    assert event.data["site_id"] == site.pk
    assert event.data["changes"]["name"] == [None, "新建自建房"]
    assert event.data["changes"]["sector"] == [None, "self_built_houses"]
    assert event.data["changes"]["attributes"] == [None, {"floors": 5}]
    json.dumps(event.data)  # JSON-safe as stored


# --- Changing and moving ----------------------------------------------------------------------

SUPERVISION_CHANGES = {
    "kind": "chemical_store",
    "sector": "industry_trade",
    "region": "440112002",
    "organisation": "ent_b",
    "status": "closed",
}


def _value(field, orgs):
    value = SUPERVISION_CHANGES[field]
    if field == "sector":
        return Sector.objects.get(code=value)
    if field == "region":
        return Region.objects.get(code=value)
    if field == "organisation":
        return getattr(orgs, value)
    return value


@pytest.mark.parametrize("field", sorted(SUPERVISION_CHANGES))
@pytest.mark.parametrize("persona", ["officer_a", "principal_a"])
def test_an_enterprise_may_not_change_what_decides_supervision(users, orgs, sites, field, persona):
    site = sites.plant_a
    with pytest.raises(NotAllowed):
        site_update(
            actor=getattr(users, persona),
            site=site,
            expected_version=site.version,
            data={"address": "新地址", field: _value(field, orgs)},
        )
    fresh = _untouched(site)
    assert (fresh.address, fresh.kind, fresh.status) == (site.address, site.kind, site.status)
    assert (fresh.region_id, fresh.sector_id, fresh.organisation_id) == (
        "440112001",
        "hazardous_chemicals",
        orgs.ent_a.pk,
    )


def test_an_enterprise_may_keep_its_sites_details_up_to_date(users, sites):
    site = sites.plant_a
    address = site.address
    unchanged_scope = {
        "kind": site.kind,
        "sector": site.sector,
        "region": site.region,
        "organisation": site.organisation,
        "status": site.status,
    }
    site_update(
        actor=users.officer_a,
        site=site,
        expected_version=1,
        data={**unchanged_scope, "address": "新地址", "contact_phone": "020-1234"},
    )
    assert (site.address, site.version) == ("新地址", 2)
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.actor) == ("registry.site.update", users.officer_a)
    assert audit.before == {"address": address, "contact_phone": ""}
    assert audit.after == {"address": "新地址", "contact_phone": "020-1234"}
    event = OutboxEvent.objects.get()
    assert event.topic == "registry.site.update"
    assert event.data == {
        "site_id": site.pk,
        "changes": {"address": [address, "新地址"], "contact_phone": ["", "020-1234"]},
    }


def test_a_save_that_changes_nothing_writes_nothing(users, sites):
    site = sites.plant_a
    site_update(actor=users.manager_a, site=site, expected_version=1, data={"name": site.name})
    _untouched(site)


def test_moving_a_site_is_a_relocation_that_the_rows_of_other_apps_follow(users, sites):
    site = sites.house
    point = RiskPointFactory(site=site)
    site_update(
        actor=users.manager_a,
        site=site,
        expected_version=1,
        data={"region": Region.objects.get(code="440106002")},
    )
    # In the same transaction, before any commit: scope already follows the site.
    assert RiskPoint.objects.get(pk=point.pk).region_id == "440106002"
    audit = AuditEvent.objects.get(object_type="registry.site")
    assert (audit.action, audit.before, audit.after) == (
        "registry.site.relocate",
        {"region": "440106001"},
        {"region": "440106002"},
    )
    event = OutboxEvent.objects.get()
    assert (event.topic, event.region_code) == ("registry.site.relocate", "440106002")
    assert event.data["changes"] == {"region": ["440106001", "440106002"]}


def test_a_stale_version_is_a_conflict_and_writes_nothing(users, sites):
    site = sites.plant_a
    Site.objects.filter(pk=site.pk).update(version=2, name="别人刚改的")
    with pytest.raises(ConcurrentEditError) as info:
        site_update(actor=users.manager_a, site=site, expected_version=1, data={"name": "旧页面"})
    assert isinstance(info.value, Conflict) and info.value.status == 409
    assert Site.objects.get(pk=site.pk).name == "别人刚改的"
    assert not AuditEvent.objects.exists() and not OutboxEvent.objects.exists()


def test_a_site_outside_the_actors_scope_is_not_found(users, sites):
    with pytest.raises(NotFound):
        site_update(
            actor=users.manager_b, site=sites.plant_a, expected_version=1, data={"name": "x"}
        )
    _untouched(sites.plant_a)


def test_moving_a_site_out_of_the_actors_area_rolls_back(users, sites):
    site = sites.house
    with pytest.raises(SiteOutsideScope):
        site_update(
            actor=users.manager_a,
            site=site,
            expected_version=1,
            data={"region": Region.objects.get(code="440305001")},
        )
    fresh = _untouched(site)
    assert fresh.region_id == "440106001"


# --- Through the pages ------------------------------------------------------------------------


def test_an_enterprise_posting_the_locked_fields_changes_none_of_them(client, users, orgs, sites):
    site = sites.plant_a
    client.force_login(users.officer_a)
    response = client.post(
        reverse("registry:site-edit", args=[site.pk]),
        {
            "name": site.name,
            "kind": "chemical_store",
            "sector": "industry_trade",
            "region": "440112002",
            "organisation": orgs.ent_b.credit_code,
            "status": "closed",
            "address": "新地址",
            "version": site.version,
        },
    )
    assert response.status_code == 302
    fresh = Site.objects.get(pk=site.pk)
    assert (fresh.kind, fresh.sector_id, fresh.region_id, fresh.organisation_id, fresh.status) == (
        site.kind,
        "hazardous_chemicals",
        "440112001",
        orgs.ent_a.pk,
        "operating",
    )
    assert fresh.address == "新地址"


def test_an_enterprise_posting_a_new_site_is_refused(client, users):
    client.force_login(users.officer_a)
    response = client.post(
        reverse("registry:site-add"),
        {
            "name": "企业自己登记",
            "kind": "factory",
            "region": "440112001",
            "address": "x",
            "status": "operating",
        },
    )
    assert response.status_code == 403
    assert not Site.objects.filter(name="企业自己登记").exists()


def test_the_admin_cannot_move_a_site_for_an_actor_without_change_scope(client, users, sites):
    # The admin's form has no locked fields: the service is what refuses the move.
    officer = users.officer_a
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    officer.user_permissions.add(Permission.objects.get(codename="change_site"))
    site = sites.plant_a
    client.force_login(officer)
    response = client.post(
        reverse("admin:registry_site_change", args=[site.pk]),
        {
            "name": site.name,
            "kind": site.kind,
            "sector": site.sector_id,
            "region": "440112002",
            "address": site.address,
            "latitude": "",
            "longitude": "",
            "organisation": site.organisation_id,
            "contact_person": "",
            "contact_phone": "",
            "status": site.status,
            "attributes": "{}",
            "expected_version": site.version,
        },
    )
    assert response.status_code == 403
    fresh = _untouched(site)
    assert fresh.region_id == "440112001"


def test_the_admin_path_is_audited_and_written_to_the_outbox(client, users, sites):
    site = sites.plant_a
    client.force_login(users.admin)
    response = client.post(
        reverse("admin:registry_site_change", args=[site.pk]),
        {
            "name": "管理员改名",
            "kind": site.kind,
            "sector": site.sector_id,
            "region": site.region_id,
            "address": site.address,
            "latitude": "",
            "longitude": "",
            "organisation": site.organisation_id,
            "contact_person": "",
            "contact_phone": "",
            "status": site.status,
            "attributes": "{}",
            "expected_version": site.version,
        },
    )
    assert response.status_code == 302
    audit = AuditEvent.objects.get(object_type="registry.site")
    assert (audit.action, audit.actor, audit.after) == (
        "registry.site.update",
        users.admin,
        {"name": "管理员改名"},
    )
    assert OutboxEvent.objects.get().data["changes"] == {"name": [site.name, "管理员改名"]}


# --- The import -------------------------------------------------------------------------------


def _workbook(*rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名称", "类型", "行政区划代码", "地址"])
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def test_an_import_is_audited_once_and_writes_one_event_per_site(
    users, django_capture_on_commit_callbacks
):
    stream = _workbook(
        ("导入甲", "工贸企业", "440106001", "五山路1号"),
        ("导入乙", "自建房", "440106002", "五山路2号"),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = site_import(actor=users.manager_a, handle=stream, filename="sites.xlsx")
    assert result.ok and result.created == 2
    sites = {site.name: site for site in Site.objects.filter(name__startswith="导入")}
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.actor, audit.object_repr) == (
        "registry.site.import",
        users.manager_a,
        "sites.xlsx",
    )
    assert audit.data == {
        "file": "sites.xlsx",
        "count": 2,
        "sites": sorted(site.pk for site in sites.values()),
        "updated": [],
        "batch": str(sites["导入甲"].import_batch),
    }
    assert sites["导入甲"].import_batch == sites["导入乙"].import_batch is not None
    events = list(OutboxEvent.objects.order_by("pk"))
    assert [(e.topic, e.object_id, e.region_code) for e in events] == [
        ("registry.site.import", str(sites["导入甲"].pk), "440106001"),
        ("registry.site.import", str(sites["导入乙"].pk), "440106002"),
    ]
    assert events[1].data["changes"]["kind"] == [None, "self_built_house"]
    assert len(callbacks) == 1  # one callback enqueues every event's dispatch
    assert all(event.done_at is not None for event in events)


def test_a_refused_import_writes_no_event(users):
    stream = _workbook(("深圳的场所", "工贸企业", "440305001", "某路1号"))
    result = site_import(actor=users.manager_a, handle=stream, filename="sites.xlsx")
    assert [error.column for error in result.errors] == ["行政区划代码"]
    assert "440305001" in result.errors[0].message
    assert not Site.objects.filter(name="深圳的场所").exists()
    assert not AuditEvent.objects.exists() and not OutboxEvent.objects.exists()
