"""The division tree: loading, "under a region", the picker endpoint."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import (
    is_valid_code,
    region_filter_choices,
    region_path,
    township_choices,
    under_region,
)

pytestmark = pytest.mark.django_db


def test_migrate_loads_the_tree_down_to_townships_and_the_sectors():
    counts = {
        level: Region.objects.filter(level=level).count()
        for level in ("province", "city", "county", "township", "village")
    }
    assert counts == {"province": 1, "city": 21, "county": 124, "township": 1757, "village": 0}
    assert Sector.objects.count() == 14
    assert Region.objects.get(code="440106001").full_name == "广东省 广州市 天河区 五山街道"


def test_villages_load_on_demand():
    call_command("load_regions", "--villages", verbosity=0)
    assert Region.objects.filter(level="village").count() == 26_842
    village = Region.objects.get(code="440106001001")
    assert village.parent_id == "440106001"
    call_command("load_regions", verbosity=0)  # idempotent, and keeps the villages
    assert Region.objects.count() == 28_745


def test_under_region_is_the_code_and_everything_below_it():
    guangzhou = set(
        Region.objects.filter(under_region("code", "4401")).values_list("code", flat=True)
    )
    assert "4401" in guangzhou and "440106001" in guangzhou
    assert all(code.startswith("4401") for code in guangzhou)
    assert "4402" not in guangzhou
    # 4419 (Dongguan) must not leak into 441 prefixes of other cities
    dongguan = Region.objects.filter(under_region("code", "4419"))
    assert all(code.startswith("4419") for code in dongguan.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("44", True),
        ("4401", True),
        ("440106", True),
        ("440106001", True),
        ("440106001001", True),
        ("440", False),
        ("44010600", False),
        ("abcd", False),
        ("", False),
    ],
)
def test_code_validation(code, valid):
    assert is_valid_code(code) is valid


def test_region_path_is_province_first():
    assert [r.name for r in region_path(code="440106001")] == [
        "广东省",
        "广州市",
        "天河区",
        "五山街道",
    ]


def test_township_choices_are_grouped_by_county_within_scope():
    groups = township_choices(scope_code="4401")
    assert groups[0][0] == "广东省 广州市 荔湾区"
    codes = [code for _name, options in groups for code, _label in options]
    assert all(code.startswith("4401") and len(code) == 9 for code in codes)


def test_filter_choices_expand_the_selected_county():
    options = dict(region_filter_choices(scope_code="4401", selected="440106"))
    assert "440106" in options and "440106001" in options
    assert "440103001" not in options  # other counties stay folded
    assert "4402" not in options
