"""Demo province: the responsibility list, and the escalation of the demo's late hazards.

``demo_step`` (after the accounts and the registry) fills the list: complete for Guangzhou —
the city, every district and every township, each for every sector — and for the province
and the other twenty cities at their own level. Each division has a party secretary and a
head of government; each sector a deputy in charge of it and, where the demo has one, the
sector's department with its head; Guangzhou's government leader is the ``gz-leader`` login.
Names and phones are drawn from a generator of the step's own (the other steps' draws do not
change). ``demo_escalation`` (after the hazards and the listings) builds every hazard's
escalation row and runs one tick of the job at the demo's "now", so that late hazards have
climbed their chains.
"""

from __future__ import annotations

import random
from typing import Any

from django.db.models import Q

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.demo import person_name, phone_number
from hazardledger.accounts.models import Organisation, User
from hazardledger.regions.choices import RegionLevel
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import under_region

from .chain import is_city_without_counties
from .choices import OfficialSide
from .models import (
    Escalation,
    EscalationDecision,
    EscalationStep,
    ResponsibilityEntry,
    ResponsibleOfficial,
)

GUANGZHOU = "4401"
PROVINCE = "44"

# Posts by level: (party secretary, head of government, deputy in charge, department head).
POSTS = {
    RegionLevel.PROVINCE: ("省委书记", "省长", "副省长", "厅长"),
    RegionLevel.CITY: ("市委书记", "市长", "副市长", "局长"),
    RegionLevel.COUNTY: ("区委书记", "区长", "副区长", "局长"),
    RegionLevel.TOWNSHIP: ("党（工）委书记", "镇长（街道办事处主任）", "分管副职", "安监办主任"),
}


def _covers(organisation: Organisation, sectors: dict[int, set[str]], sector: str) -> bool:
    return organisation.all_sectors or sector in sectors.get(organisation.pk, set())


def demo_step(ctx: Any) -> None:
    """Build the demo's responsibility list (bulk inserts)."""
    rng = random.Random(ctx.seed + 14)
    sectors = list(Sector.objects.order_by("sort_order", "code"))
    regions = list(
        Region.objects.filter(
            Q(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY])
            | under_region("code", GUANGZHOU)
            & Q(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
        )
    )
    regions = [r for r in regions if not is_city_without_counties(r.code)]
    bodies: dict[str, list[Organisation]] = {}
    for organisation in Organisation.objects.exclude(kind=OrganisationKind.ENTERPRISE):
        bodies.setdefault(organisation.region_id, []).append(organisation)
    through = Organisation.sectors.through
    covered: dict[int, set[str]] = {}
    for org_id, sector_code in through.objects.values_list("organisation_id", "sector_id"):
        covered.setdefault(org_id, set()).add(sector_code)
    leaders = {
        user.organisation.region_id: user
        for user in User.objects.filter(
            role=Role.LEADER, organisation__kind=OrganisationKind.LEADERSHIP, is_active=True
        ).select_related("organisation")
        if user.organisation is not None
    }
    gz_leader = ctx.logins.get("gz-leader")
    if gz_leader is not None:
        leaders[GUANGZHOU] = gz_leader

    entries: list[ResponsibilityEntry] = []
    officials: list[list[ResponsibleOfficial]] = []
    for region in sorted(regions, key=lambda r: r.code):
        party_post, head_post, deputy_post, department_post = POSTS[RegionLevel(region.level)]
        if region.level == RegionLevel.TOWNSHIP and region.name.endswith("街道"):
            party_post, head_post, deputy_post = (
                "街道党工委书记",
                "街道办事处主任",
                "街道办事处副主任",
            )
        elif region.level == RegionLevel.TOWNSHIP:
            party_post, head_post, deputy_post = "镇党委书记", "镇长", "副镇长"
        party = (person_name(rng), phone_number(rng))
        head = (person_name(rng), phone_number(rng))
        deputies: dict[str, tuple[str, str]] = {}
        heads: dict[int, tuple[str, str]] = {}
        local = bodies.get(region.code, [])
        for sector in sectors:
            department = _lead_department(region, sector.code, local, bodies, covered)
            entry = ResponsibilityEntry(
                region_id=region.code,
                sector_id=sector.code,
                lead_department=department,
                updated_by=None,
            )
            deputy = deputies.setdefault(
                sector.lead_department, (person_name(rng), phone_number(rng))
            )
            rows = [
                _named(OfficialSide.PARTY, party, party_post, 0),
                _named(OfficialSide.GOVERNMENT, head, head_post, 1),
            ]
            leader = leaders.get(region.code)
            if leader is not None:
                rows.append(
                    ResponsibleOfficial(
                        side=OfficialSide.GOVERNMENT,
                        user=leader,
                        name=leader.display_name[:50],
                        post=deputy_post,
                        phone=leader.phone or phone_number(rng),
                        position=2,
                    )
                )
            else:
                rows.append(_named(OfficialSide.GOVERNMENT, deputy, deputy_post, 2))
            if department is not None and department.region_id == region.code:
                chief = heads.setdefault(department.pk, (person_name(rng), phone_number(rng)))
                post = department_post
                if department.kind == OrganisationKind.OFFICE:
                    post = "安委办主任"
                elif department.kind == OrganisationKind.TOWNSHIP:
                    post = "应急管理办公室主任"
                rows.append(_named(OfficialSide.DEPARTMENT, chief, post, 3))
            entries.append(entry)
            officials.append(rows)
    ResponsibilityEntry.objects.bulk_create(entries, batch_size=2000)
    for entry, rows in zip(entries, officials, strict=True):
        for row in rows:
            row.entry = entry
    ResponsibleOfficial.objects.bulk_create(
        [row for rows in officials for row in rows], batch_size=4000
    )
    ctx.say(f"{len(entries)} responsibility list entries, {sum(map(len, officials))} officials")


def _named(side: str, who: tuple[str, str], post: str, position: int) -> ResponsibleOfficial:
    return ResponsibleOfficial(side=side, name=who[0], post=post, phone=who[1], position=position)


def _lead_department(
    region: Region,
    sector: str,
    local: list[Organisation],
    bodies: dict[str, list[Organisation]],
    covered: dict[int, set[str]],
) -> Organisation | None:
    """The division's department covering the sector; else its township body or safety
    committee office; for a township without either, the county's (department, then
    office)."""
    for kinds in (
        (OrganisationKind.DEPARTMENT,),
        (OrganisationKind.TOWNSHIP, OrganisationKind.OFFICE),
    ):
        for organisation in local:
            if organisation.kind in kinds and (
                organisation.kind != OrganisationKind.DEPARTMENT
                or _covers(organisation, covered, sector)
            ):
                return organisation
    if region.level == RegionLevel.TOWNSHIP:
        county = Region(code=region.code[:6], level=RegionLevel.COUNTY)
        return _lead_department(county, sector, bodies.get(county.code, []), bodies, covered)
    return None


def demo_clear() -> None:
    """Remove the responsibility list (for tests that rebuild the demo in one database)."""
    ResponsibleOfficial.objects.all().delete()
    ResponsibilityEntry.objects.all().delete()


def demo_escalation(ctx: Any) -> None:
    """Build every hazard's escalation row and run one tick at the demo's "now"."""
    from .services.escalation import escalation_rebuild, escalation_tick

    rows = escalation_rebuild()
    report = escalation_tick(now=ctx.now)
    ctx.say(f"{rows} escalation rows; {report}")


def demo_escalation_clear() -> None:
    """Remove the escalation's rows, steps and decisions."""
    EscalationDecision.objects.all().delete()
    EscalationStep.objects.all().delete()
    Escalation.objects.all().delete()
