"""Fixtures of the responsibility tests: a chain of responsibility for hazardous chemicals from
Wushan street (五山街道, 440106001) in Tianhe up to the province, with the bodies and users of
each level, and an enterprise plant in Wushan.

- Wushan (440106001): led by the Tianhe EM bureau; no official with an account;
- Tianhe (440106): the Tianhe EM bureau (its inspector ``th_inspector``), ``th_leader`` on the
  government side, and the Tianhe office's ``th_office``;
- Guangzhou (4401): the Guangzhou EM bureau (``inspector_a``), ``auditor`` on the government
  side, and the Guangzhou office's ``manager_a``;
- Guangdong (44): the provincial EM department (``gd_inspector``) and ``gd_office``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import TestCase

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.regions.choices import DepartmentKind
from hazardledger.registry.choices import SiteKind
from hazardledger.registry.tests.factories import SiteFactory
from hazardledger.responsibility.choices import OfficialSide
from hazardledger.responsibility.models import ResponsibilityEntry, ResponsibleOfficial

SECTOR = "hazardous_chemicals"


def committed() -> Any:
    """Run what the block leaves for the commit (outbox events dispatched: notices made)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def entry(region: str, department: Any, *officials: tuple[str, str, str, Any]) -> Any:
    """An entry for hazardous chemicals in ``region`` with ``officials`` (side, name, post,
    user)."""
    made = ResponsibilityEntry.objects.create(
        region_id=region, sector_id=SECTOR, lead_department=department
    )
    for position, (side, name, post, user) in enumerate(officials):
        ResponsibleOfficial.objects.create(
            entry=made,
            side=side,
            name=name,
            post=post,
            phone="020-8000000" + str(position),
            user=user,
            position=position,
        )
    return made


@pytest.fixture
def chain(users: SimpleNamespace, orgs: SimpleNamespace) -> SimpleNamespace:
    """The bodies, users and entries of the chain (see the module's table)."""
    th_em = OrganisationFactory(
        name="天河区应急管理局",
        kind=OrganisationKind.DEPARTMENT,
        department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
        region_id="440106",
        sectors=[SECTOR, "industry_trade"],
    )
    th_office = OrganisationFactory(
        name="天河区安委办", kind=OrganisationKind.OFFICE, region_id="440106", all_sectors=True
    )
    gd_em = OrganisationFactory(
        name="广东省应急管理厅",
        kind=OrganisationKind.DEPARTMENT,
        department_kind=DepartmentKind.EMERGENCY_MANAGEMENT,
        region_id="44",
        sectors=[SECTOR, "industry_trade"],
    )
    gd_office = OrganisationFactory(
        name="广东省安委办", kind=OrganisationKind.OFFICE, region_id="44", all_sectors=True
    )
    people = SimpleNamespace(
        th_inspector=UserFactory(username="th_inspector", role=Role.INSPECTOR, organisation=th_em),
        th_leader=UserFactory(username="th_leader", role=Role.LEADER, organisation=th_office),
        th_office=UserFactory(username="th_office", role=Role.OFFICE, organisation=th_office),
        gd_inspector=UserFactory(username="gd_inspector", role=Role.INSPECTOR, organisation=gd_em),
        gd_office=UserFactory(username="gd_office", role=Role.OFFICE, organisation=gd_office),
    )
    P, G, D = OfficialSide.PARTY, OfficialSide.GOVERNMENT, OfficialSide.DEPARTMENT
    entries = SimpleNamespace(
        wushan=entry(
            "440106001",
            th_em,
            (P, "赵书记", "街道党工委书记", None),
            (G, "钱主任", "街道办主任", None),
        ),
        tianhe=entry(
            "440106",
            th_em,
            (P, "孙书记", "区委书记", None),
            (G, "李区长", "副区长", people.th_leader),
            (D, "周局长", "区应急管理局局长", None),
        ),
        guangzhou=entry(
            "4401",
            orgs.gz_em,
            (P, "吴书记", "市委书记", None),
            (G, "郑市长", "副市长", users.auditor),
            (D, "王局长", "市应急管理局局长", None),
        ),
        guangdong=entry(
            "44", gd_em, (P, "冯书记", "省委常委", None), (G, "陈省长", "副省长", None)
        ),
    )
    site = SiteFactory(
        name="甲化工五山仓库",
        kind=SiteKind.CHEMICAL_PLANT,
        sector_id=SECTOR,
        region_id="440106001",
        organisation=orgs.ent_a,
    )
    return SimpleNamespace(
        **vars(people),
        entries=entries,
        site=site,
        th_em=th_em,
        th_office_org=th_office,
        gd_em=gd_em,
    )
