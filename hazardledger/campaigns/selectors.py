"""Reads of campaigns, always through the user's scope: lists, the cascade, tasks, and the
progress report (per region and sector down the cascade, the 2023 national table, laggards)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import get_language

from hazardledger.access.scope import restrict
from hazardledger.regions.choices import CODE_LENGTHS
from hazardledger.regions.models import Region, Sector
from hazardledger.regions.selectors import is_under, under_region

from .choices import FIGURES, PhaseKind
from .models import Campaign, CampaignHazard, CampaignPhase, Progress, Task


@dataclass(frozen=True)
class Scope:
    """A campaign's scope: region codes, sector codes and site kinds (empty: every kind)."""

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    kinds: tuple[str, ...]
    region_names: tuple[str, ...] = ()
    sector_names: tuple[str, ...] = ()

    def q(self, *, region: str = "region", sector: str = "sector_id", kind: str = "site_kind") -> Q:
        """Rows in this scope (field names of the model filtered)."""
        where = Q(pk__in=[])
        for code in self.regions:
            where |= under_region(region, code)
        where &= Q(**{f"{sector}__in": list(self.sectors)})
        if self.kinds:
            where &= Q(**{f"{kind}__in": list(self.kinds)})
        return where

    def covers(self, *, region: str, sector: str, kind: str) -> bool:
        return (
            any(is_under(region, code) for code in self.regions)
            and sector in self.sectors
            and (not self.kinds or kind in self.kinds)
        )


def campaign_scope(campaign: Campaign) -> Scope:
    """The campaign's scope, with the names of its regions and sectors (two queries, then
    kept on the instance: a campaign's scope does not change once issued)."""
    cached: Scope | None = getattr(campaign, "_scope_cache", None)
    if cached is not None:
        return cached
    regions = list(campaign.regions.order_by("code").values_list("code", "name"))
    sectors = sorted(campaign.sectors.values_list("code", "name_zh", "name_en"))
    english = (get_language() or "zh-hans").startswith("en")
    scope = Scope(
        regions=tuple(code for code, _name in regions),
        sectors=tuple(code for code, _zh, _en in sectors),
        kinds=tuple(sorted(campaign.site_kinds or ())),
        region_names=tuple(name for _code, name in regions),
        sector_names=tuple(en if english else zh for _code, zh, en in sectors),
    )
    campaign._scope_cache = scope  # type: ignore[attr-defined]
    return scope


def campaign_delegated(campaign: Campaign) -> list[str]:
    """The codes of the regions the campaign was handed down to (kept on the instance)."""
    cached: list[str] | None = getattr(campaign, "_delegated_cache", None)
    if cached is None:
        cached = sorted(campaign.delegated.values_list("code", flat=True))
        campaign._delegated_cache = cached  # type: ignore[attr-defined]
    return cached


def campaign_list(*, user: Any, action: str = "view") -> QuerySet[Campaign]:
    """Campaigns the user may ``action``, newest first."""
    return restrict(Campaign.objects.select_related("region", "parent"), user, action)


def campaign_subtree_ids(campaign: Campaign) -> list[int]:
    """The campaign and every take-up below it (one query)."""
    rows = list(
        Campaign.objects.filter(Q(root_id=campaign.root_pk) | Q(pk=campaign.root_pk)).values_list(
            "pk", "parent_id"
        )
    )
    children: dict[int | None, list[int]] = {}
    for pk, parent in rows:
        children.setdefault(parent, []).append(pk)
    found, stack = [], [campaign.pk]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def campaign_chain(campaign: Campaign) -> list[Campaign]:
    """The campaign's ancestors, the root first, and the campaign itself."""
    chain = [campaign]
    while chain[0].parent_id is not None:
        parent = chain[0].parent
        assert parent is not None
        chain.insert(0, parent)
    return chain


def campaign_phases(campaign: Campaign) -> list[CampaignPhase]:
    """The campaign's phases in the order of the national action (kept on the instance)."""
    cached: list[CampaignPhase] | None = getattr(campaign, "_phases_cache", None)
    if cached is None:
        order = list(PhaseKind.values)
        cached = sorted(campaign.phases.all(), key=lambda phase: order.index(phase.kind))
        campaign._phases_cache = cached  # type: ignore[attr-defined]
    return cached


def campaign_tasks(*, campaign: Campaign, user: Any, action: str = "view") -> QuerySet[Task]:
    """Tasks of the campaign and the take-ups below it that the user may ``action``."""
    qs = Task.objects.filter(
        root_id=campaign.root_pk, campaign_id__in=campaign_subtree_ids(campaign)
    )
    return restrict(qs.select_related("site", "region", "responsible", "campaign"), user, action)


def my_tasks(*, user: Any) -> QuerySet[Task]:
    """What the user should do now: issued tasks not yet done for their organisation (or given
    to them), in campaigns that have not ended; for an enterprise, its self-inspections not
    done yet."""
    org = getattr(user, "organisation", None)
    qs = restrict(Task.objects.filter(issued=True), user).select_related(
        "site", "root", "campaign", "responsible", "region"
    )
    if org is not None and org.is_enterprise:
        return qs.filter(self_due_on__isnull=False, self_inspected_on__isnull=True)
    # The ids given to the user are read first (a few hundred at most), so that the filter is
    # two index conditions PostgreSQL can OR, not a subquery that makes it scan every task.
    given = list(
        Task.assignees.through.objects.filter(user_id=user.pk).values_list("task_id", flat=True)[
            :5000
        ]
    )
    mine = Q(pk__in=given)
    if org is not None:
        mine |= Q(responsible_id=org.pk)
    return qs.filter(mine, inspected_on__isnull=True)


def pending_by_responsible(*, tasks: QuerySet[Task]) -> list[dict[str, Any]]:
    """Per responsible organisation: tasks, inspected and not yet inspected (one query)."""
    rows = (
        tasks.filter(issued=True)
        .values("responsible_id", "responsible__name")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(inspected_on__isnull=False)),
        )
        .order_by("responsible__name")
    )
    found = [{**row, "pending": row["total"] - row["done"]} for row in rows]
    return sorted(found, key=lambda row: (-row["pending"], row["responsible__name"] or ""))


# --- progress --------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class ProgressRow:
    """The figures of one region or sector (or the total), with the derived shares."""

    code: str
    name: str
    figures: dict[str, int]
    overdue: int = 0
    laggard: bool = False
    reasons: list[str] = field(default_factory=list)
    campaign: Campaign | None = None  # the take-up for this region, if any
    delegated: bool = False
    drill: bool = False  # a level below to go down to

    def __getattr__(self, name: str) -> Any:
        figures = self.__dict__.get("figures", {})
        if name in figures:
            return figures[name]
        raise AttributeError(name)

    @property
    def coverage(self) -> float | None:
        return _percent(self.figures["inspected"], self.figures["sites"])

    @property
    def self_coverage(self) -> float | None:
        return _percent(self.figures["self_inspected"], self.figures["sites"])

    @property
    def closure(self) -> float | None:
        return _percent(self.figures["closed"], self.figures["hazards"])

    @property
    def major_closure(self) -> float | None:
        return _percent(self.figures["major_closed"], self.figures["major"])

    @property
    def not_inspected(self) -> int:
        return self.figures["sites"] - self.figures["inspected"]


@dataclass
class ProgressReport:
    """A campaign's progress for a user: at ``at`` (the campaign's level, or a region below
    it), rows per region one level down, rows per sector, the total, and the national table
    (domain.md 0.5) of the total."""

    campaign: Campaign
    at: str
    at_name: str
    today: date
    sector: str
    rows: list[ProgressRow]
    sectors: list[ProgressRow]
    total: ProgressRow
    pace: float
    days_left: int
    phase: CampaignPhase | None
    major_overdue_target: bool

    @property
    def national_table(self) -> list[tuple[str, str, int, str, int, float | None]]:
        """(label key, found figure, found, closed figure, closed, share) rows."""
        f = self.total.figures
        return [
            ("dept", "dept_major", f["dept_major"], "dept_major_closed", f["dept_major_closed"],
             _percent(f["dept_major_closed"], f["dept_major"])),
            ("self", "self_major", f["self_major"], "self_major_closed", f["self_major_closed"],
             _percent(f["self_major_closed"], f["self_major"])),
            ("all", "major", f["major"], "major_closed", f["major_closed"],
             _percent(f["major_closed"], f["major"])),
            ("listed", "listed", f["listed"], "listed_closed", f["listed_closed"],
             _percent(f["listed_closed"], f["listed"])),
        ]  # fmt: skip


def _child_length(code: str) -> int | None:
    longer = [n for n in CODE_LENGTHS if n > len(code)]
    return longer[0] if longer and longer[0] <= 9 else None


def campaign_pace(campaign: Campaign, today: date) -> float:
    """The share of the campaign's time gone on ``today`` (0 before it starts, 1 after)."""
    total = (campaign.ends_on - campaign.starts_on).days + 1
    gone = (today - campaign.starts_on).days + 1
    return max(0.0, min(1.0, gone / total))


def coverage_pace(campaign: Campaign, phases: list[CampaignPhase], today: date) -> float:
    """The share of the inspecting time gone on ``today``: from the day after mobilisation
    (the start, without phases) to the end. Nobody is expected to have inspected during
    mobilisation."""
    mobilisation = next((p for p in phases if p.kind == PhaseKind.MOBILISATION), None)
    first = mobilisation.ends_on + timedelta(days=1) if mobilisation else campaign.starts_on
    total = (campaign.ends_on - first).days + 1
    if total <= 0:
        return 1.0 if today > campaign.ends_on else 0.0
    return max(0.0, min(1.0, ((today - first).days + 1) / total))


def current_phase(phases: list[CampaignPhase], today: date) -> CampaignPhase | None:
    return next((p for p in phases if p.starts_on <= today <= p.ends_on), None)


def progress_counters(*, campaign: Campaign, user: Any | None) -> QuerySet[Progress]:
    """The root's counter rows in the campaign's scope, narrowed to the user's scope (None:
    the job that makes the weekly report, which reports the campaign's whole scope)."""
    qs = Progress.objects.filter(campaign_id=campaign.root_pk)
    if user is not None:
        qs = restrict(qs, user, "view")
    return qs.filter(campaign_scope(campaign).q())


def progress_hazards(*, campaign: Campaign, user: Any | None) -> QuerySet[CampaignHazard]:
    """The root's hazard links in the campaign's scope, narrowed to the user's scope."""
    qs = CampaignHazard.objects.filter(campaign_id=campaign.root_pk)
    if user is not None:
        qs = restrict(qs, user, "view")
    return qs.filter(campaign_scope(campaign).q())


def campaign_progress(
    *, campaign: Campaign, user: Any | None, today: date, at: str = "", sector: str = ""
) -> ProgressReport:
    """The campaign's progress (see ``ProgressReport``).

    Steps: the counter rows in scope (and under ``at``, in ``sector``) summed per child
    region and sector in one grouped query; overdue hazards (deadline before ``today`` while
    rectification is the party's move) likewise; the names of the regions and sectors; the
    take-ups of the child regions. A region lags when its coverage is below the pace (the
    coverage target × the share of the inspecting time gone, ``coverage_pace``), when its
    closure rate is below target once the enforcement phase has ended, or when it was handed
    the campaign and has not taken it up after mobilisation. At most seven queries, whatever
    the number of sites.
    """
    at = at if at and is_under(at, campaign.region_id) else campaign.region_id
    child = _child_length(at)
    counters = progress_counters(campaign=campaign, user=user)
    overdue = progress_hazards(campaign=campaign, user=user).filter(overdue_from__lt=today)
    if at != campaign.region_id:
        counters = counters.filter(under_region("region", at))
        overdue = overdue.filter(under_region("region", at))
    if sector:
        counters = counters.filter(sector_id=sector)
        overdue = overdue.filter(sector_id=sector)
    length = child or len(at)
    grouped = (
        counters.annotate(code=Substr("region_id", 1, length))
        .values("code", "sector_id")
        .annotate(**{name: Sum(name) for name in FIGURES})
        .order_by()
    )
    late = (
        overdue.annotate(code=Substr("region_id", 1, length))
        .values("code", "sector_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_region: dict[str, dict[str, int]] = {}
    by_sector: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(FIGURES, 0)
    for row in grouped:
        for bucket in (
            by_region.setdefault(row["code"], dict.fromkeys(FIGURES, 0)),
            by_sector.setdefault(row["sector_id"], dict.fromkeys(FIGURES, 0)),
            total,
        ):
            for name in FIGURES:
                bucket[name] += int(row[name] or 0)
    late_region: dict[str, int] = {}
    late_sector: dict[str, int] = {}
    for row in late:
        late_region[row["code"]] = late_region.get(row["code"], 0) + row["n"]
        late_sector[row["sector_id"]] = late_sector.get(row["sector_id"], 0) + row["n"]
    names = dict(Region.objects.filter(code__in=[*by_region, at]).values_list("code", "name"))
    sector_names = {s.code: s.name for s in Sector.objects.filter(code__in=list(by_sector))}
    phases = campaign_phases(campaign)
    pace = campaign_pace(campaign, today)
    takeups = {}
    delegated: set[str] = set()
    if child is not None:
        takeups = {
            c.region_id: c
            for c in Campaign.objects.filter(parent=campaign).select_related("region")
        }
        delegated = set(campaign_delegated(campaign))
    enforcement_over = (
        any(p.kind == PhaseKind.ENFORCEMENT and p.ends_on < today for p in phases)
        or today > campaign.ends_on
    )
    mobilised = (
        any(p.kind == PhaseKind.MOBILISATION and p.ends_on < today for p in phases)
        or today > campaign.ends_on
    )

    inspecting = coverage_pace(campaign, phases, today)

    def judge(row: ProgressRow) -> ProgressRow:
        expected = campaign.coverage_target * inspecting
        coverage = row.coverage
        if row.figures["sites"] and coverage is not None and coverage < expected:
            row.laggard = True
            row.reasons.append("coverage")
        closure = row.closure
        if enforcement_over and closure is not None and closure < campaign.closure_target:
            row.laggard = True
            row.reasons.append("closure")
        if row.delegated and row.campaign is None and mobilised:
            row.laggard = True
            row.reasons.append("not_taken_up")
        return row

    rows = []
    if child is not None:
        codes = sorted(
            set(by_region) | {c for c in delegated if is_under(c, at) and len(c) == child}
        )
        for code in codes:
            rows.append(
                judge(
                    ProgressRow(
                        code=code,
                        name=names.get(code, code),
                        figures=by_region.get(code, dict.fromkeys(FIGURES, 0)),
                        overdue=late_region.get(code, 0),
                        campaign=takeups.get(code),
                        delegated=code in delegated,
                        drill=len(code) < 9,
                    )
                )
            )
    sectors = [
        judge(
            ProgressRow(
                code=code,
                name=sector_names.get(code, code),
                figures=figures,
                overdue=late_sector.get(code, 0),
            )
        )
        for code, figures in sorted(by_sector.items())
    ]
    total_row = judge(
        ProgressRow(
            code=at, name=names.get(at, at), figures=total, overdue=sum(late_region.values())
        )
    )
    open_major = total["major"] - total["major_closed"]
    return ProgressReport(
        campaign=campaign,
        at=at,
        at_name=names.get(at, at),
        today=today,
        sector=sector,
        rows=rows,
        sectors=sectors,
        total=total_row,
        pace=round(pace * 100, 1),
        days_left=(campaign.ends_on - today).days,
        phase=current_phase(phases, today),
        major_overdue_target=bool(
            campaign.major_closed_by and today > campaign.major_closed_by and open_major > 0
        ),
    )


# The hazard figures a drill-down lists, as filters on ``CampaignHazard``.
HAZARD_DRILLS: dict[str, Q] = {
    "hazards": ~Q(status="voided"),
    "major": Q(grade="major") & ~Q(status="voided"),
    "closed": Q(status="closed"),
    "major_closed": Q(grade="major", status="closed"),
    "dept_major": Q(grade="major", regulator_found=True) & ~Q(status="voided"),
    "dept_major_closed": Q(grade="major", regulator_found=True, status="closed"),
    "self_major": Q(grade="major", regulator_found=False) & ~Q(status="voided"),
    "self_major_closed": Q(grade="major", regulator_found=False, status="closed"),
    "listed": Q(grade="major", listed=True) & ~Q(status="voided"),
    "listed_closed": Q(grade="major", listed=True, status="closed"),
}


def drill_hazards(
    *, campaign: Campaign, user: Any, figure: str, today: date, at: str = "", sector: str = ""
) -> QuerySet[Any]:
    """The hazards behind one figure of the progress report (``HAZARD_DRILLS`` or
    "overdue"), as the user may see them, most overdue first."""
    from hazardledger.hazards.selectors import hazard_list

    links = progress_hazards(campaign=campaign, user=user).filter(counted=True)
    if figure == "overdue":
        links = links.filter(overdue_from__lt=today)
    else:
        links = links.filter(HAZARD_DRILLS[figure])
    if at and is_under(at, campaign.region_id):
        links = links.filter(under_region("region", at))
    if sector:
        links = links.filter(sector_id=sector)
    return (
        hazard_list(user=user).filter(pk__in=links.values("hazard_id")).order_by("deadline", "pk")
    )
