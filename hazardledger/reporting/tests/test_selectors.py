"""The selectors other apps read: periods across partial months, groupings, scopes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hazardledger.core.errors import NotFound
from hazardledger.hazards.choices import HazardGrade, HazardSource
from hazardledger.hazards.tests.factories import record
from hazardledger.reporting.selectors import (
    Scope,
    child_regions,
    current_counts,
    ledger_url,
    period_totals,
    scope_for_user,
    split_period,
    with_rates,
)

from .conftest import committed

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_period_splits_into_partial_and_whole_months():
    assert split_period(date(2026, 1, 15), date(2026, 4, 10)) == (
        [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 10))],
        (date(2026, 2, 1), date(2026, 3, 1)),
    )
    assert split_period(date(2026, 1, 1), date(2026, 12, 31)) == (
        [],
        (date(2026, 1, 1), date(2026, 12, 1)),
    )
    assert split_period(date(2026, 3, 5), date(2026, 3, 9)) == (
        [(date(2026, 3, 5), date(2026, 3, 9))],
        None,
    )
    assert split_period(date(2026, 3, 9), date(2026, 3, 5)) == ([], None)


@pytest.fixture
def found(users, sites):
    """Guangzhou hazards found on 10 Jan, 15 Feb, 28 Feb, 1 Mar and 20 May 2026 (one major,
    one by a regulator), and one in Shenzhen."""
    with time_machine.travel(NOW, tick=False), committed():
        for day in ("2026-01-10", "2026-02-15", "2026-02-28", "2026-03-01"):
            record(sites.plant_a, users.officer_a, found_on=date.fromisoformat(day))
        record(sites.factory_b, users.inspector_a, source=HazardSource.REGULATORY_INSPECTION)
        record(sites.plant_a, users.officer_a, grade=HazardGrade.MAJOR)
        record(sites.shenzhen_c, users.manager_b, found_on=date(2026, 2, 15))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-01-01", "2026-12-31", 6),
        ("2026-01-11", "2026-02-28", 2),  # partial January, whole February
        ("2026-02-16", "2026-03-01", 2),  # two partial months
        ("2026-02-28", "2026-02-28", 1),
        ("2026-03-02", "2026-05-19", 0),
        ("2025-12-01", "2026-01-10", 1),
    ],
)
def test_found_in_any_period(found, start, end, expected):
    totals = period_totals(Scope(region="4401"), date.fromisoformat(start), date.fromisoformat(end))
    assert totals[0]["found"] == expected


def test_groupings(found):
    gz = Scope(region="4401")
    year = (date(2026, 1, 1), date(2026, 12, 31))
    by_month = {row["month"]: row["found"] for row in period_totals(gz, *year, group_by=["month"])}
    assert by_month == {
        date(2026, 1, 1): 1,
        date(2026, 2, 1): 2,
        date(2026, 3, 1): 1,
        date(2026, 5, 1): 2,
    }
    by_day = period_totals(gz, date(2026, 2, 1), date(2026, 2, 28), group_by=["day"])
    assert [(row["day"], row["found"]) for row in by_day] == [
        (date(2026, 2, 15), 1),
        (date(2026, 2, 28), 1),
    ]
    by_region = {
        row["region"]: row["found"] for row in period_totals(gz, *year, group_by=["region"])
    }
    assert by_region == {"440112": 5, "440113": 1}
    by_source = {
        row["source"]: row["found"] for row in period_totals(gz, *year, group_by=["source"])
    }
    assert by_source == {"self_inspection": 5, "regulatory_inspection": 1}
    grades = {row["grade"]: row["open"] for row in current_counts(gz, group_by=["grade"])}
    assert grades == {"general": 5, "major": 1}
    assert current_counts(Scope(region="44"))[0]["open"] == 7
    province = {row["region"] for row in current_counts(Scope(region="44"), group_by=["region"])}
    assert province == {"4401", "4403"}


def test_an_enterprise_scope_counts_its_own_hazards(found, users):
    scope = scope_for_user(users.officer_a)
    assert scope.organisation_id == users.officer_a.organisation_id
    assert current_counts(scope)[0]["open"] == 5
    assert period_totals(scope, date(2026, 2, 1), date(2026, 2, 28))[0]["found"] == 2
    assert current_counts(scope_for_user(users.officer_b))[0]["open"] == 1  # the regulator's find


def test_scopes_for_users(users):
    assert scope_for_user(users.admin) == Scope(region="44", user=users.admin)
    manager = scope_for_user(users.manager_a, region="440106")
    assert manager.region == "440106" and manager.sectors is None
    inspector = scope_for_user(users.inspector_a)
    assert inspector.sectors == ("hazardous_chemicals", "industry_trade")
    assert scope_for_user(users.inspector_a, sector="industry_trade").sectors == ("industry_trade",)
    for user, region, sector in [
        (users.manager_a, "4403", None),
        (users.manager_a, "44", None),
        (users.manager_a, "4401x", None),
        (users.inspector_a, None, "mines"),
        (users.manager_a, None, "no-such-sector"),
        (users.officer_a, "440112", None),
    ]:
        with pytest.raises(NotFound):
            scope_for_user(user, region=region, sector=sector)


def test_children_rates_and_links():
    assert [region.code for region in child_regions(Scope(region="44"))][:2] == ["4401", "4402"]
    assert len(child_regions(Scope(region="4401"))) == 11
    assert child_regions(Scope(region="440106001")) == []
    assert with_rates({"found": 4, "rectified": 1, "rectified_on_time": 0}) == {
        "found": 4,
        "rectified": 1,
        "rectified_on_time": 0,
        "closure_rate": 0.25,
        "on_time_rate": 0.0,
    }
    assert with_rates({"found": 0, "rectified": 0, "rectified_on_time": 0})["closure_rate"] is None
    url = ledger_url(
        Scope(region="4401", sectors=("mines",)), status="open", found_after=date(2026, 1, 1)
    )
    assert url == "/hazards/?region=4401&sector=mines&status=open&found_after=2026-01-01"
    assert ledger_url(Scope(), q="a b&c") == "/hazards/?q=a+b%26c"
    with pytest.raises(ValueError, match="cannot group"):
        period_totals(Scope(), date(2026, 1, 1), date(2026, 1, 2), group_by=["colour"])
    with pytest.raises(ValueError, match="no divisions"):
        current_counts(Scope(region="440106001"), group_by=["region"])
