"""Fixtures for the campaigns tests: the shipped checklists, media in a temporary directory, a
mines world in three cities (offices, departments, enterprises and their mines), and helpers
that drive inspections and hazards through the apps' own services."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.tests.factories import OrganisationFactory, UserFactory
from hazardledger.campaigns.choices import PhaseKind
from hazardledger.campaigns.services import CampaignInput, take_up_defaults
from hazardledger.hazards.choices import HazardAction, HazardGrade, HazardStatus
from hazardledger.hazards.deadlines import local_today
from hazardledger.hazards.tests.factories import act, plan_approved, png_upload
from hazardledger.inspections.tests.conftest import checklists, committed  # noqa: F401
from hazardledger.regions.choices import DepartmentKind
from hazardledger.registry.choices import SiteStatus
from hazardledger.registry.tests.factories import SiteFactory

MINES = {"sector_id": "mines"}


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _office(name: str, region: str) -> Any:
    org = OrganisationFactory(
        name=name, kind=OrganisationKind.OFFICE, region_id=region, all_sectors=True
    )
    return UserFactory(username=f"office-{region}", role=Role.OFFICE, organisation=org)


def _department(name: str, region: str, username: str) -> Any:
    org = OrganisationFactory(
        name=name,
        kind=OrganisationKind.DEPARTMENT,
        department_kind=DepartmentKind.NATURAL_RESOURCES,
        region_id=region,
        sectors=["mines"],
    )
    return UserFactory(username=username, role=Role.INSPECTOR, organisation=org)


def _enterprise(name: str, region: str, key: str) -> SimpleNamespace:
    org = OrganisationFactory(name=name, region_id=region)
    return SimpleNamespace(
        org=org,
        officer=UserFactory(
            username=f"{key}-officer", role=Role.ENTERPRISE_OFFICER, organisation=org
        ),
        principal=UserFactory(
            username=f"{key}-boss", role=Role.ENTERPRISE_PRINCIPAL, organisation=org
        ),
    )


def _mine(name: str, region: str, kind: str, mine_type: str, enterprise: Any, **extra: Any) -> Any:
    return SiteFactory(
        name=name,
        kind=kind,
        mine_type=mine_type,
        region_id=region,
        organisation=enterprise.org,
        **MINES,
        **extra,
    )


@pytest.fixture
def mines(db: None, checklists: Any) -> SimpleNamespace:  # noqa: F811 - the fixture above
    """The province, Shaoguan (4402), Qingyuan (4418) and Maoming (4409) with offices; three
    counties with offices (Qujiang 440205 and Lechang 440281 in Shaoguan, Yingde 441881 in
    Qingyuan); natural resources departments at the province, the two cities and Qujiang;
    enterprises and their mines (coal and metal, open-pit and underground), plus sites the
    campaign must leave out."""
    w = SimpleNamespace()
    w.gd = _office("广东省安委办", "44")
    w.shaoguan = _office("韶关市安委办", "4402")
    w.qingyuan = _office("清远市安委办", "4418")
    w.maoming = _office("茂名市安委办", "4409")
    w.qujiang = _office("曲江区安委办", "440205")
    w.lechang = _office("乐昌市安委办", "440281")
    w.yingde = _office("英德市安委办", "441881")
    w.province_inspector = _department("广东省自然资源厅", "44", "gd-nr")
    w.sg_inspector = _department("韶关市自然资源局", "4402", "sg-nr")
    w.qy_inspector = _department("清远市自然资源局", "4418", "qy-nr")
    w.qj_inspector = _department("曲江区自然资源局", "440205", "qj-nr")
    w.admin = UserFactory(
        username="root",
        role=Role.ADMINISTRATOR,
        organisation=OrganisationFactory(
            name="系统", kind=OrganisationKind.SYSTEM, region_id="44", all_sectors=True
        ),
        is_superuser=True,
    )
    w.e1 = _enterprise("韶关粤北矿业有限公司", "440205", "e1")
    w.e2 = _enterprise("清远英德矿业有限公司", "441881", "e2")
    w.e3 = _enterprise("茂名高州矿业有限公司", "440981", "e3")
    coal, metal = "coal_mine", "metal_mine"
    w.pit_coal = _mine("马坝露天煤矿", "440205100", coal, "open_pit", w.e1)
    w.deep_coal = _mine("马坝井工煤矿", "440205100", coal, "underground", w.e1)
    w.pit_metal = _mine("大塘石灰石矿", "440205101", metal, "open_pit", w.e1)
    w.deep_metal = _mine("大塘铅锌矿", "440205101", metal, "underground", w.e1)
    w.lechang_coal = _mine("北乡煤矿", "440281102", coal, "underground", w.e1)
    w.lechang_metal = _mine("北乡钨矿", "440281102", metal, "underground", w.e1)
    w.ruyuan_metal = _mine("乳城铜矿", "440232100", metal, "open_pit", w.e1)
    w.yingde_metal = _mine("沙口石场", "441881101", metal, "open_pit", w.e2)
    w.yingde_metal2 = _mine("望埠锰矿", "441881102", metal, "underground", w.e2)
    w.qingcheng_coal = _mine("源潭煤矿", "441802103", coal, "underground", w.e2)
    w.maoming_metal = _mine("谢鸡稀土矿", "440981100", metal, "open_pit", w.e3)
    # Left out: another sector, another city, not operating.
    w.chemical = SiteFactory(
        name="马坝化工", kind="chemical_plant", sector_id="hazardous_chemicals",
        region_id="440205100", organisation=w.e1.org,
    )  # fmt: skip
    w.guangzhou_mine = SiteFactory(
        name="从化采石场", kind=metal, sector_id="mines", region_id="440117001",
        mine_type="open_pit",
    )  # fmt: skip
    w.closed_mine = _mine(
        "关闭煤矿", "440205100", coal, "underground", w.e1, status=SiteStatus.SUSPENDED
    )
    return w


def province_input(start: date, end: date) -> CampaignInput:
    """The province's mines campaign for three cities, handed down to all three."""
    return CampaignInput(
        title="全省矿山重大事故隐患专项排查整治",
        document_number="粤安委办〔2026〕18号",
        starts_on=start,
        ends_on=end,
        regions=["4402", "4418", "4409"],
        sectors=["mines"],
        site_kinds=["coal_mine", "metal_mine"],
        checklist_codes=["coal_mine", "metal_mine"],
        delegated=["4402", "4418", "4409"],
        phases=[
            (PhaseKind.MOBILISATION, start, start + timedelta(days=9)),
            (PhaseKind.SELF_INSPECTION, start + timedelta(days=10), start + timedelta(days=49)),
            (PhaseKind.ENFORCEMENT, start + timedelta(days=50), end - timedelta(days=10)),
            (PhaseKind.SUMMING_UP, end - timedelta(days=9), end),
        ],
        coverage_target=100,
        closure_target=90,
    )


def take_up_input(parent: Any, region: str, delegated: list[str]) -> CampaignInput:
    defaults = take_up_defaults(parent=parent, region=region)
    return CampaignInput(
        title=f"{region} 实施方案",
        starts_on=defaults["starts_on"],
        ends_on=defaults["ends_on"],
        regions=defaults["regions"],
        sectors=defaults["sectors"],
        site_kinds=defaults["site_kinds"],
        phases=defaults["phases"],
        delegated=delegated,
    )


def close(hazard: Any, *, responsible: Any, regulator: Any) -> Any:
    """Bring a hazard to closed through the workflow: the plan (approved by the principal for
    a major one), the submission (with the evaluation for a major one), the acceptance (the
    regulator's for a major hazard or one a regulator found)."""
    hazard = plan_approved(hazard, responsible)
    data = {"evaluator": "own_experts"} if hazard.grade == HazardGrade.MAJOR else {}
    hazard = act(hazard, HazardAction.SUBMIT, responsible, data=data, files=[png_upload()])
    acceptor = regulator if hazard.is_major or hazard.regulator_found else responsible
    hazard = act(hazard, HazardAction.ACCEPT, acceptor)
    assert hazard.status == HazardStatus.CLOSED
    return hazard


def today() -> date:
    return local_today()
