"""Which enterprises a user may name for a site: one rule for the site form, the sites import
and the enterprise suggestions; enterprises outside the user's reach are never listed by name."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import Workbook

from hazardledger.accounts.tests.factories import OrganisationFactory
from hazardledger.registry.choices import SiteKind
from hazardledger.registry.models import Site
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.registry.transfer import site_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def builders(orgs, sites) -> SimpleNamespace:
    """Construction enterprises: one running a Guangzhou building site, one registered in
    Guangzhou without sites yet, one in Shenzhen."""
    working = OrganisationFactory(
        name="广州建筑工程有限公司", region_id="440106", credit_code="91440101MA5ABLD01X"
    )
    SiteFactory(
        name="天河某住宅项目",
        kind=SiteKind.CONSTRUCTION_PROJECT,
        sector_id="building_construction",
        region_id="440106001",
        organisation=working,
    )
    new = OrganisationFactory(
        name="广州新建筑有限公司", region_id="440106", credit_code="91440101MA5ABLD02X"
    )
    shenzhen = OrganisationFactory(
        name="深圳建筑集团有限公司", region_id="440305", credit_code="91440300MA5ABLD03X"
    )
    return SimpleNamespace(working=working, new=new, shenzhen=shenzhen)


def _options(client, user, text: str) -> str:
    client.force_login(user)
    response = client.get(reverse("registry:organisation-options"), {"organisation": text})
    assert response.status_code == 200
    return response.content.decode()


def test_inspector_is_offered_no_enterprise_outside_its_sectors(client, users, builders):
    listed = _options(client, users.inspector_a, "建筑")
    assert "<option" not in listed
    assert "91440101MA5ABLD01X" not in listed


def test_inspector_is_offered_enterprises_of_the_sites_it_supervises(client, users, builders):
    listed = _options(client, users.inspector_a, "有限公司")
    assert "广州甲化工有限公司" in listed  # runs the hazardous chemicals plant
    assert "广州乙机械有限公司" in listed  # runs an industry and trade factory
    assert "建筑" not in listed


def test_city_office_is_offered_enterprises_with_a_site_in_its_city(client, users, builders):
    listed = _options(client, users.manager_a, "建筑")
    assert "广州建筑工程有限公司" in listed
    assert "广州新建筑有限公司" not in listed  # no site yet
    assert "深圳建筑集团有限公司" not in listed


def test_an_enterprise_without_sites_is_found_by_its_exact_credit_code_only(
    client, users, builders
):
    assert "广州新建筑有限公司" in _options(client, users.manager_a, "91440101MA5ABLD02X")
    assert "广州新建筑有限公司" not in _options(client, users.manager_a, "91440101MA5ABLD0")
    assert "深圳建筑集团有限公司" not in _options(client, users.manager_a, "91440300MA5ABLD03X")


def test_an_enterprise_user_is_offered_nothing(client, users, builders):
    assert "<option" not in _options(client, users.officer_a, "有限公司")


def _form_accepts(client, user, text: str) -> bool:
    client.force_login(user)
    response = client.post(
        reverse("registry:site-add"),
        {
            "name": f"表单-{text}",
            "kind": "factory",
            "region": "440106001",
            "address": "五山路3号",
            "status": "operating",
            "organisation": text,
        },
    )
    return response.status_code == 302


def _import_accepts(user, text: str) -> bool:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名称", "类型", "行政区划代码", "地址", "责任单位统一社会信用代码"])
    sheet.append([f"导入-{text}", "工贸企业", "440106001", "五山路3号", text])
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    result = site_import(actor=user, handle=stream, filename="sites.xlsx")
    assert result.ok or [e.column for e in result.errors] == ["责任单位统一社会信用代码"]
    return result.ok


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("91440101MA5ATEST1A", True),  # a Guangzhou enterprise by credit code
        ("91440300MA5ATEST3C", False),  # a Shenzhen enterprise
        ("深圳丙电子有限公司", False),  # the same, by name
        ("91440101MA5ABLD02X", True),  # no site yet, but its exact credit code
        ("广州新建筑有限公司", False),  # no site yet: not by name
        ("广州建筑工程有限公司", True),  # runs a site in Guangzhou
    ],
)
def test_site_form_and_import_accept_the_same_enterprises(client, users, builders, text, accepted):
    assert _import_accepts(users.manager_a, text) is accepted
    assert _form_accepts(client, users.manager_a, text) is accepted
    assert Site.objects.filter(name__endswith=text).count() == (2 if accepted else 0)


def test_import_refuses_an_enterprise_from_another_city(users, orgs):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名称", "类型", "行政区划代码", "地址", "责任单位统一社会信用代码"])
    sheet.append(["丙电子广州仓库", "工贸企业", "440106001", "五山路4号", orgs.ent_c.credit_code])
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    result = site_import(actor=users.manager_a, handle=stream, filename="sites.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(2, "责任单位统一社会信用代码")]
    assert orgs.ent_c.credit_code in result.errors[0].message
    assert not Site.objects.filter(name="丙电子广州仓库").exists()


def test_an_enterprise_from_another_city_with_a_site_here_may_be_named(client, users, orgs):
    # Shenzhen's enterprise C also builds in Guangzhou: the Guangzhou office sees that site (and
    # so the enterprise) and may register its next site by code or name; the inspector, whose
    # sectors exclude construction, does not know it.
    SiteFactory(
        name="丙电子广州新厂房工程",
        kind=SiteKind.CONSTRUCTION_PROJECT,
        sector_id="building_construction",
        region_id="440106001",
        organisation=orgs.ent_c,
    )
    assert "深圳丙电子有限公司" not in _options(client, users.inspector_a, "丙电子")
    assert "深圳丙电子有限公司" in _options(client, users.manager_a, "丙电子")
    assert _import_accepts(users.manager_a, orgs.ent_c.credit_code)
    assert _form_accepts(client, users.manager_a, "深圳丙电子有限公司")
