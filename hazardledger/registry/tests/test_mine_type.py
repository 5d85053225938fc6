"""The mine type is a column of the site (issue 16): the form offers it for mines only, the
detail page shows it, the import reads it and the export writes it, the database refuses one
on a site that is not a mine, and the migration moved the values kept in the attributes."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from hazardledger.registry.models import Site
from hazardledger.registry.services import site_update
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.registry.transfer import site_import

pytestmark = pytest.mark.django_db


def _new_mine(**changes):
    data = {
        "name": "大宝山露天矿",
        "kind": "metal_mine",
        "sector": "mines",
        "region": "440106001",
        "address": "沙溪镇",
        "status": "operating",
        "mine_type": "open_pit",
    }
    data.update(changes)
    return data


def test_the_form_offers_the_mine_type_for_mines_only(client, users):
    client.force_login(users.manager_a)
    mine = client.get(reverse("registry:site-add"), {"kind": "coal_mine"}, HTTP_HX_REQUEST="true")
    house = client.get(
        reverse("registry:site-add"), {"kind": "self_built_house"}, HTTP_HX_REQUEST="true"
    )
    assert b'name="mine_type"' in mine.content
    assert b'name="mine_type"' not in house.content


def test_a_mine_is_saved_with_its_type_and_shown(client, users):
    client.force_login(users.manager_a)
    response = client.post(reverse("registry:site-add"), _new_mine())
    site = Site.objects.get(name="大宝山露天矿")
    assert response.status_code == 302 and site.mine_type == "open_pit"
    assert "mine_type" not in site.attributes
    page = client.get(site.get_absolute_url())
    assert b'data-testid="mine-type"' in page.content


def test_a_site_that_is_not_a_mine_keeps_no_mine_type(client, users):
    client.force_login(users.manager_a)
    client.post(reverse("registry:site-add"), _new_mine(kind="factory", sector="industry_trade"))
    assert Site.objects.get(name="大宝山露天矿").mine_type == ""


def test_the_database_refuses_a_mine_type_on_another_kind(users):
    site = SiteFactory(kind="coal_mine", sector_id="mines", mine_type="underground")
    with pytest.raises(ValidationError):
        site_update(
            actor=users.admin,
            site=site,
            expected_version=site.version,
            data={"kind": "factory", "sector": "industry_trade"},
        )
    site.refresh_from_db()
    assert site.kind == "coal_mine"


def _sheet(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


HEADER = ["名称", "类型", "行政区划代码", "地址", "矿山类型"]


def test_the_import_reads_the_mine_type(users):
    rows = [HEADER, ["凡口铅锌矿", "金属非金属矿山", "440106001", "凡口", "地下开采"]]
    with translation.override("zh-hans"):
        result = site_import(actor=users.manager_a, handle=_sheet(rows), filename="s.xlsx")
    assert result.ok, result.errors
    assert Site.objects.get(name="凡口铅锌矿").mine_type == "underground"


@pytest.mark.parametrize(
    "row",
    [
        ["凡口铅锌矿", "金属非金属矿山", "440106001", "凡口", "悬空"],
        ["某工厂", "工贸企业", "440106001", "某路", "露天"],
    ],
)
def test_a_bad_mine_type_is_a_row_error(users, row):
    with translation.override("zh-hans"):
        result = site_import(actor=users.manager_a, handle=_sheet([HEADER, row]), filename="s.xlsx")
    assert not result.ok and any(e.column == "矿山类型" for e in result.errors)
    assert not Site.objects.filter(name=row[0]).exists()


def test_the_export_writes_the_mine_type(client, users):
    SiteFactory(name="露天煤矿", kind="coal_mine", sector_id="mines", mine_type="open_pit")
    client.force_login(users.manager_a)
    response = client.get(reverse("registry:site-export"), {"kind": "coal_mine"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    column = rows[0].index("矿山类型")
    assert rows[1][column] == "露天开采"


def test_the_migration_moves_the_mine_type_out_of_the_attributes():
    migration = importlib.import_module("hazardledger.registry.migrations.0002_site_mine_type")
    site = SiteFactory(kind="metal_mine", sector_id="mines", attributes={"mine_type": "open_pit"})
    editor = SimpleNamespace(connection=connection)
    migration.attributes_to_column(django_apps, editor)
    site.refresh_from_db()
    assert site.mine_type == "open_pit" and site.attributes == {}
    migration.column_to_attributes(django_apps, editor)
    site.refresh_from_db()
    assert site.attributes == {"mine_type": "open_pit"}
