"""Issue 16's acceptance: a province mines campaign taken up by two cities and three counties;
inspections, self-inspections and hazards go through the apps' own services; every progress
figure of every level (per region one level down, per sector, the total, the national table)
equals an independent computation from the ledger's own tables, and rebuilding the counters
from scratch gives the same counters the outbox handlers kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from hazardledger.campaigns.choices import FIGURES
from hazardledger.campaigns.models import Campaign, Progress, Task
from hazardledger.campaigns.progress import progress_rebuild
from hazardledger.campaigns.selectors import campaign_progress
from hazardledger.campaigns.services import (
    campaign_issue,
    campaign_take_up,
    task_inspect,
)
from hazardledger.hazards.choices import PARTY_MOVE_STATUSES, HazardAction, HazardGrade
from hazardledger.hazards.models import Hazard
from hazardledger.hazards.services import hazard_record
from hazardledger.hazards.tests.factories import act, hazard_data
from hazardledger.inspections.models import HazardDraft, Inspection
from hazardledger.inspections.services import hazard_draft_confirm, inspection_plan
from hazardledger.inspections.sync import inspection_sync
from hazardledger.inspections.tests.conftest import sync_document
from hazardledger.regions.selectors import is_under
from hazardledger.registry.models import Site
from hazardledger.supervision.models import Listing
from hazardledger.supervision.services.listings import ListingProposal, listing_create

from .conftest import close, committed, province_input, take_up_input, today

SCOPE = ("4402", "4418", "4409")
CODES = ("coal_mine", "metal_mine")


def _submit(actor: Any, inspection: Inspection, fail: dict[str, str] | None = None) -> None:
    with committed():
        inspection_sync(
            actor=actor, inspection=inspection, document=sync_document(inspection, fail=fail)
        )


def _confirm(actor: Any, inspection: Inspection) -> list[Hazard]:
    hazards = []
    for draft in HazardDraft.objects.filter(inspection=inspection):
        data = {"interim_measures": ["people_withdrawn"]} if draft.grade == "major" else {}
        with committed():
            hazards.append(hazard_draft_confirm(actor=actor, draft=draft, data=data))
    return hazards


def expected(*, under: str, start: Any, end: Any, sector: str = "") -> dict[str, int]:
    """The figures of the sites under ``under``, computed from the ledger's tables alone:
    operating mines in the scope; their inspections submitted in the period with one of the
    campaign's checklists (regulators' and self-inspections, one site once); their hazards
    found in the period and not voided, by grade, finder, status and listing."""
    sites = [
        site
        for site in Site.objects.filter(sector_id="mines", kind__in=CODES, status="operating")
        if is_under(site.region_id, under)
        and any(is_under(site.region_id, code) for code in SCOPE)
        and (not sector or site.sector_id == sector)
    ]
    ids = {site.pk for site in sites}
    inspected, self_inspected = set(), set()
    for inspection in Inspection.objects.filter(site_id__in=ids, status="submitted"):
        day = timezone.localdate(inspection.submitted_at)
        if not start <= day <= end or inspection.checklist is None:
            continue
        if inspection.checklist.code not in CODES or inspection.kind == "recheck":
            continue
        (self_inspected if inspection.kind == "self" else inspected).add(inspection.site_id)
    listed = set(
        Listing.objects.filter(status__in=["listed", "delisted"]).values_list(
            "hazard_id", flat=True
        )
    )
    figures = dict.fromkeys(FIGURES, 0)
    figures.update(sites=len(ids), inspected=len(inspected), self_inspected=len(self_inspected))
    overdue = 0
    for hazard in Hazard.objects.filter(site_id__in=ids, found_on__gte=start, found_on__lte=end):
        if hazard.status == "voided":
            continue
        major, closed = hazard.grade == HazardGrade.MAJOR, hazard.status == "closed"
        figures["hazards"] += 1
        figures["major"] += major
        figures["closed"] += closed
        figures["major_closed"] += major and closed
        figures["dept_major"] += major and hazard.regulator_found
        figures["dept_major_closed"] += major and hazard.regulator_found and closed
        figures["self_major"] += major and not hazard.regulator_found
        figures["self_major_closed"] += major and not hazard.regulator_found and closed
        figures["listed"] += major and hazard.pk in listed
        figures["listed_closed"] += major and hazard.pk in listed and closed
        overdue += hazard.status in PARTY_MOVE_STATUSES and hazard.deadline < today()
    figures["overdue"] = overdue
    return figures


def observed(row: Any) -> dict[str, int]:
    return {**row.figures, "overdue": row.overdue}


@pytest.mark.django_db
def test_a_province_mines_campaign_through_two_cities_and_three_counties(mines):
    w = mines
    start, end = today() - timedelta(days=60), today() + timedelta(days=60)
    # The province issues; Shaoguan hands Qujiang and Lechang down and keeps Ruyuan; Qingyuan
    # hands Yingde down and keeps Qingcheng; Maoming never takes it up.
    with committed():
        province = campaign_issue(actor=w.gd, data=province_input(start, end))
    assert Task.objects.filter(root=province).count() == 11
    assert not Task.objects.filter(root=province, issued=True).exists()
    with committed():
        shaoguan = campaign_take_up(
            actor=w.shaoguan,
            parent=province,
            data=take_up_input(province, "4402", ["440205", "440281"]),
        )
        qingyuan = campaign_take_up(
            actor=w.qingyuan, parent=province, data=take_up_input(province, "4418", ["441881"])
        )
    with committed():
        qujiang = campaign_take_up(
            actor=w.qujiang, parent=shaoguan, data=take_up_input(shaoguan, "440205", [])
        )
        lechang = campaign_take_up(
            actor=w.lechang, parent=shaoguan, data=take_up_input(shaoguan, "440281", [])
        )
        yingde = campaign_take_up(
            actor=w.yingde, parent=qingyuan, data=take_up_input(qingyuan, "441881", [])
        )
    # Who each site is for: the lowest level that did not hand it down, and there the lowest
    # department with the sector (Lechang has none: Shaoguan's; Ruyuan is Shaoguan's own).
    task = {t.site_id: t for t in Task.objects.filter(root=province).select_related("responsible")}
    assert task[w.pit_coal.pk].campaign_id == qujiang.pk
    assert task[w.pit_coal.pk].responsible == w.qj_inspector.organisation
    assert task[w.lechang_coal.pk].campaign_id == lechang.pk
    assert task[w.lechang_coal.pk].responsible == w.sg_inspector.organisation
    assert task[w.ruyuan_metal.pk].campaign_id == shaoguan.pk
    assert task[w.ruyuan_metal.pk].issued
    assert task[w.yingde_metal.pk].campaign_id == yingde.pk
    assert task[w.qingcheng_coal.pk].responsible == w.qy_inspector.organisation
    assert task[w.maoming_metal.pk].campaign_id == province.pk
    assert not task[w.maoming_metal.pk].issued
    assert task[w.pit_coal.pk].self_due_on is not None

    # Regulators inspect from their tasks: Qujiang passes the open-pit coal mine and fails
    # the open-pit metal mine's slope monitoring (a major hazard) and a general item.
    for site, actor, fail in (
        (w.pit_coal, w.qj_inspector, None),
        (w.pit_metal, w.qj_inspector, {"nm-op-07": "边坡在线监测停用", "nm-g02": "挡墙破损"}),
        (w.lechang_coal, w.sg_inspector, None),
    ):
        with committed():
            inspection = task_inspect(actor=actor, task=task[site.pk])
        _submit(actor, inspection, fail)
    dept_hazards = _confirm(w.qj_inspector, Inspection.objects.get(site=w.pit_metal))
    # The same site inspected again counts once.
    with committed():
        again = task_inspect(actor=w.sg_inspector, task=task[w.pit_coal.pk])
    _submit(w.sg_inspector, again)
    # A routine inspection with the campaign's checklist counts; one with another does not.
    with committed():
        routine = inspection_plan(
            actor=w.qy_inspector,
            site=w.yingde_metal,
            kind="routine",
            checklist=mines_checklist("metal_mine"),
            planned_on=today(),
            start=True,
        )
        other = inspection_plan(
            actor=w.qy_inspector,
            site=w.qingcheng_coal,
            kind="routine",
            checklist=mines_checklist("flood_season"),
            planned_on=today(),
            start=True,
        )
    _submit(w.qy_inspector, routine)
    _submit(w.qy_inspector, other)
    # Enterprises self-inspect from their tasks; one failure becomes a self-found hazard.
    with committed():
        own = task_inspect(actor=w.e1.officer, task=task[w.deep_coal.pk])
    _submit(w.e1.officer, own, {"coal-g03": "应急预案未演练"})
    self_general = _confirm(w.e1.officer, own)
    with committed():
        own2 = task_inspect(actor=w.e2.officer, task=task[w.yingde_metal2.pk])
    _submit(w.e2.officer, own2)

    # Hazards recorded in the ledger directly: found during the campaign at sites in scope,
    # by enterprises (major, general, one found long ago and now overdue) and by a regulator;
    # one voided; others at sites out of scope.
    with committed():
        self_major = hazard_record(
            actor=w.e1.officer, site_id=w.deep_metal.pk, data=hazard_data(HazardGrade.MAJOR)
        )
        overdue = hazard_record(
            actor=w.e2.officer,
            site_id=w.yingde_metal.pk,
            data=hazard_data(found_on=start + timedelta(days=1)),
        )
        before = hazard_record(
            actor=w.e2.officer,
            site_id=w.yingde_metal2.pk,
            data=hazard_data(found_on=start - timedelta(days=3)),
        )
        dept_major = hazard_record(
            actor=w.sg_inspector,
            site_id=w.ruyuan_metal.pk,
            data=hazard_data(HazardGrade.MAJOR, source="regulatory_inspection"),
        )
        maoming = hazard_record(
            actor=w.e3.officer, site_id=w.maoming_metal.pk, data=hazard_data(HazardGrade.MAJOR)
        )
        voided = hazard_record(actor=w.e1.officer, site_id=w.lechang_metal.pk, data=hazard_data())
        hazard_record(actor=w.e1.officer, site_id=w.chemical.pk, data=hazard_data())
        hazard_record(actor=w.e1.officer, site_id=w.closed_mine.pk, data=hazard_data())
    with committed():
        act(voided, HazardAction.VOID, w.sg_inspector)
    # Listed for supervision: the slope hazard Qujiang's inspector found (stays open) and the
    # enterprise's major hazard (then rectified and closed).
    slope = next(h for h in dept_hazards if h.grade == HazardGrade.MAJOR)
    for hazard, office in ((slope, w.shaoguan), (self_major, w.shaoguan)):
        with committed():
            listing_create(
                actor=office,
                hazard=hazard,
                proposal=ListingProposal(
                    required_by=today() + timedelta(days=40),
                    stop="none",
                    officials=({"name": "王明", "post": "副市长"},),
                    grounds="重大事故隐患",
                ),
                document_number=f"韶安委办督〔2026〕{hazard.pk}号",
            )
    with committed():
        close(self_major, responsible=w.e1.officer, regulator=w.qj_inspector)
        close(dept_major, responsible=w.e1.officer, regulator=w.sg_inspector)
        close(self_general[0], responsible=w.e1.officer, regulator=w.qj_inspector)
    assert before and maoming and overdue

    # Every level's figures against the ledger's own tables.
    levels = [
        (province, SCOPE, "44"),
        (shaoguan, ("440205", "440281", "440232"), "4402"),
        (qingyuan, ("441881", "441802"), "4418"),
        (qujiang, ("440205100", "440205101"), "440205"),
        (lechang, ("440281102",), "440281"),
        (yingde, ("441881101", "441881102"), "441881"),
    ]
    for campaign, rows, region in levels:
        report = campaign_progress(campaign=campaign, user=w.admin, today=today())
        assert observed(report.total) == expected(under=region, start=start, end=end), region
        by_code = {row.code: row for row in report.rows}
        for code in rows:
            assert observed(by_code[code]) == expected(under=code, start=start, end=end), code
        assert set(by_code) <= set(rows) | {"4409"}
        (mines_row,) = report.sectors
        assert observed(mines_row) == observed(report.total)
        table = {key: (found, closed) for key, _f, found, _c, closed, _s in report.national_table}
        want = expected(under=region, start=start, end=end)
        assert table["dept"] == (want["dept_major"], want["dept_major_closed"])
        assert table["self"] == (want["self_major"], want["self_major_closed"])
        assert table["listed"] == (want["listed"], want["listed_closed"])
    # The figures are not trivially zero.
    total = expected(under="44", start=start, end=end)
    assert total["sites"] == 11 and total["inspected"] == 4 and total["self_inspected"] == 2
    assert total["major"] == 4 and total["dept_major"] == 2 and total["self_major"] == 2
    assert total["listed"] == 2 and total["listed_closed"] == 1 and total["overdue"] >= 1
    # Maoming was handed the campaign and has not taken it up: it lags once mobilised.
    province_rows = {
        r.code: r for r in campaign_progress(campaign=province, user=w.admin, today=today()).rows
    }
    assert province_rows["4409"].laggard and "not_taken_up" in province_rows["4409"].reasons
    assert province_rows["4402"].campaign == shaoguan

    # The counters the handlers kept are the counters a rebuild makes from scratch.
    kept = _counters(province)
    progress_rebuild(root=province)
    assert _counters(province) == kept


def mines_checklist(code: str) -> Any:
    from hazardledger.inspections.models import Checklist

    return Checklist.objects.get(code=code, is_current=True)


def _counters(root: Campaign) -> dict[tuple[str, str, str], tuple[int, ...]]:
    return {
        (row.region_id, row.sector_id, row.site_kind): tuple(getattr(row, f) for f in FIGURES)
        for row in Progress.objects.filter(campaign=root)
        if any(getattr(row, f) for f in FIGURES)
    }
