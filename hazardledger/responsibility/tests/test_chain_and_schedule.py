"""The chain upward from a division (the tree, cities without counties, overrides) and the
configurable schedule of the steps."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from hazardledger.responsibility.chain import chain_for
from hazardledger.responsibility.models import Escalation, ResponsibilityEntry
from hazardledger.responsibility.schedule import parse_schedule, step_days

from .conftest import SECTOR

pytestmark = pytest.mark.django_db


def codes(region: str, sector: str = SECTOR) -> list[str]:
    return [level.code for level in chain_for(region_code=region, sector=sector).levels]


def test_a_township_climbs_the_division_tree():
    assert codes("440106001") == ["440106001", "440106", "4401", "44"]
    assert codes("440106001001") == ["440106001", "440106", "4401", "44"]  # a village's
    assert codes("4401") == ["4401", "44"]


@pytest.mark.parametrize(("township", "city"), [("441900003", "4419"), ("442000001", "4420")])
def test_a_city_without_counties_takes_the_county_step(township, city):
    """Dongguan and Zhongshan: township → city; the county step goes to the city."""
    assert codes(township) == [township, city, "44"]
    chain = chain_for(region_code=township, sector=SECTOR)
    assert chain.receiving(step="county", reason="overdue").code == city
    assert chain.receiving(step="city", reason="overdue").code == city
    assert chain.receiving(step="province", reason="overdue").code == "44"
    assert codes(city[:4] + "00") == [city, "44"]  # the statistical tables' county row


def test_an_entry_overrides_the_level_it_reports_to(chain):
    ResponsibilityEntry.objects.filter(pk=chain.entries.wushan.pk).update(escalates_to_id="4401")
    assert codes("440106001") == ["440106001", "4401", "44"]
    levels = chain_for(region_code="440106001", sector=SECTOR)
    assert levels.receiving(step="county", reason="overdue").code == "4401"


def test_the_names_and_officials_of_each_level(chain):
    levels = chain_for(region_code="440106001", sector=SECTOR).levels
    assert [level.name for level in levels] == ["五山街道", "天河区", "广州市", "广东省"]
    assert [o.name for o in levels[1].leaders] == ["孙书记", "李区长"]
    assert [o.name for o in levels[1].department_officials] == ["周局长"]
    regulator = chain_for(region_code="440106001", sector=SECTOR).regulator
    assert (regulator.code, regulator.department) == ("440106", chain.th_em)


def test_the_default_schedule():
    assert step_days(sector="mines", grade="general") == (-3, 1, 7, 15, 30)
    assert step_days(sector="mines", grade="major") == (-2, 1, 4, 8, 15)


def test_the_schedule_is_configured_per_sector_and_grade(settings):
    settings.ESCALATION_SCHEDULE = (
        '{"*": {"general": [-5, 1, 10, 20, 40]}, "mines": {"major": [-1, 1, 2, 3, 5]}}'
    )
    assert step_days(sector="industry_trade", grade="general") == (-5, 1, 10, 20, 40)
    assert step_days(sector="industry_trade", grade="major") == (-3, 1, 5, 10, 20)
    assert step_days(sector="mines", grade="major") == (-1, 1, 2, 3, 5)
    assert step_days(sector="mines", grade="general") == (-5, 1, 10, 20, 40)


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '{"*": {"general": [1, 2, 3]}}',
        '{"*": {"general": [-3, 1, 7, 7, 30]}}',
        '{"*": {"general": [2, 3, 7, 15, 30]}}',
        '{"*": {"general": [-3, 0, 7, 15, 30]}}',
        '{"*": {"urgent": [-3, 1, 7, 15, 30]}}',
        '{"*": {"general": [-3, 1, 7, 15, "30"]}}',
        '{"*": {"general": [-3, 1, 7, 15, true]}}',
    ],
)
def test_a_malformed_schedule_stops_the_start(raw):
    with pytest.raises(ImproperlyConfigured):
        parse_schedule(raw)


def test_the_rebuild_command_builds_every_row(chain, users):
    from .test_escalation import START, recorded

    hazard = recorded(chain, users, "general", START.replace(day=20))
    Escalation.objects.all().delete()
    out = io.StringIO()
    call_command("escalation_rebuild", stdout=out)
    assert "1 escalation rows written" in out.getvalue()
    row = Escalation.objects.get(pk=hazard.pk)
    assert (row.reason, row.basis_on, row.next_step) == (
        "overdue",
        START.replace(day=20),
        "reminder",
    )
