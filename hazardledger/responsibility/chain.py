"""The chain of responsibility of a division and sector: the levels a hazard climbs, each with
its entry on the responsibility list (lead department and officials), if it has one.

The chain is derived from the division tree — township → county → city → province, a
township of a city without counties (Dongguan 4419, Zhongshan 4420) going straight to the
city — unless an entry names the level it reports to instead (``escalates_to``, always a
higher level). ``Chains`` loads the entries it needs in bulk (one query per round of
overrides, plus one for the divisions' names) and keeps them, so that a tick of the
escalation job or a page asks the database once per batch, not once per hazard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from hazardledger.accounts.choices import OrganisationKind
from hazardledger.regions.models import Region

from .choices import EscalationReason, EscalationStepName, OfficialSide
from .constants import CITIES_WITHOUT_COUNTIES
from .models import ResponsibilityEntry, ResponsibleOfficial

LEVEL_BY_LENGTH = {2: "province", 4: "city", 6: "county", 9: "township"}


def is_city_without_counties(code: str) -> bool:
    """True for the statistical tables' county row of a city without counties (441900)."""
    return len(code) == 6 and code[:4] in CITIES_WITHOUT_COUNTIES and code[4:] == "00"


def start_code(code: str) -> str:
    """Where a chain starts for a row in division ``code``: a village's township; the city
    itself for the county row of a city without counties."""
    if len(code) == 12:
        code = code[:9]
    if is_city_without_counties(code):
        code = code[:4]
    return code


def parent_code(code: str) -> str | None:
    """The next level up in the division tree (None above the province)."""
    if len(code) == 12:
        return code[:9]
    if len(code) == 9:
        county = code[:6]
        return county[:4] if is_city_without_counties(county) else county
    if len(code) == 6:
        return code[:4]
    if len(code) == 4:
        return code[:2]
    return None


def tree_ancestors(code: str) -> list[str]:
    """``code`` and every level above it in the tree, lowest first."""
    codes: list[str] = []
    current: str | None = start_code(code)
    while current:
        codes.append(current)
        current = parent_code(current)
    return codes


@dataclass
class Level:
    """One level of a chain: its division, its kind (township, county, city, province) and
    its entry on the list for the chain's sector, if any."""

    code: str
    name: str
    entry: ResponsibilityEntry | None

    @property
    def kind(self) -> str:
        return LEVEL_BY_LENGTH.get(len(self.code), "township")

    @property
    def officials(self) -> list[ResponsibleOfficial]:
        return list(self.entry.officials.all()) if self.entry is not None else []

    def officials_on(self, side: str) -> list[ResponsibleOfficial]:
        return [official for official in self.officials if official.side == side]

    @property
    def department_officials(self) -> list[ResponsibleOfficial]:
        """The lead department's officials (the sector line)."""
        return self.officials_on(OfficialSide.DEPARTMENT)

    @property
    def leaders(self) -> list[ResponsibleOfficial]:
        """The party and government officials (the territorial line)."""
        return [o for o in self.officials if o.side != OfficialSide.DEPARTMENT]

    @property
    def department(self) -> Any:
        return self.entry.lead_department if self.entry is not None else None

    def snapshot(self) -> list[dict[str, Any]]:
        """The officials as a step records them (names kept as they were on the day)."""
        return [
            {
                "side": o.side,
                "name": o.name,
                "post": o.post,
                "phone": o.phone,
                "user_id": o.user_id,
            }
            for o in self.officials
        ]


@dataclass
class Chain:
    """The levels from the lowest (the hazard's township) up to the province."""

    sector: str
    levels: list[Level] = field(default_factory=list)

    def first_at_or_above(self, length: int, levels: list[Level] | None = None) -> Level:
        """The first level whose division code is at most ``length`` digits long (the county,
        or the city where there is none …); the top level when none is."""
        levels = self.levels if levels is None else levels
        for level in levels:
            if len(level.code) <= length:
                return level
        return levels[-1]

    @property
    def regulator(self) -> Level:
        """The level of the sector's regulator: that of the first sector department named as
        lead department up the chain (its own division's level when it is in the chain: a
        township's entry may name the county's bureau), else the first level with any lead
        department, else the first above the township."""
        for level in self.levels:
            department = level.department
            if department is not None and department.kind == OrganisationKind.DEPARTMENT:
                own = [lv for lv in self.levels if lv.code == department.region_id]
                return own[0] if own else level
        for level in self.levels:
            if level.department is not None:
                return level
        return self.first_at_or_above(6)

    def receiving(self, *, step: str, reason: str) -> Level:
        """The level that receives ``step``. On the overdue track the reminder goes to the
        hazard's own level (the enterprise is told) and the due step to the regulator; a late
        review climbs the reviewing body's (the regulator's) chain the same way."""
        levels = self.levels
        if reason == EscalationReason.REVIEW_OVERDUE:
            regulator = self.regulator
            levels = levels[levels.index(regulator) :]
            if step in (EscalationStepName.REMINDER, EscalationStepName.DUE):
                return regulator
        elif step == EscalationStepName.REMINDER:
            return levels[0]
        elif step == EscalationStepName.DUE:
            return self.regulator
        length = {
            EscalationStepName.COUNTY: 6,
            EscalationStepName.CITY: 4,
            EscalationStepName.PROVINCE: 2,
        }[EscalationStepName(step)]
        return self.first_at_or_above(length, levels)


class Chains:
    """Chains of responsibility, loaded in bulk and kept: ``load`` the (division, sector)
    pairs a batch needs, then ``chain`` each (no query)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], ResponsibilityEntry | None] = {}
        self._names: dict[str, str] = {}
        self._chains: dict[tuple[str, str], Chain] = {}

    def _fetch(self, pairs: set[tuple[str, str]]) -> list[ResponsibilityEntry]:
        """Fetch the entries of ``pairs`` not fetched yet; return those found."""
        missing = {pair for pair in pairs if pair not in self._entries}
        if not missing:
            return []
        codes = {code for code, _ in missing}
        sectors = {sector for _, sector in missing}
        found = (
            ResponsibilityEntry.objects.filter(region_id__in=codes, sector_id__in=sectors)
            .select_related("lead_department", "region")
            .prefetch_related(
                Prefetch(
                    "officials",
                    queryset=ResponsibleOfficial.objects.order_by("position", "id"),
                )
            )
        )
        fetched = list(found)
        for entry in fetched:
            self._entries[(entry.region_id, entry.sector_id)] = entry
            self._names[entry.region_id] = entry.region.name
        for pair in missing:
            self._entries.setdefault(pair, None)
        return fetched

    def load(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Fetch the entries of every level the chains of ``pairs`` (division, sector) pass,
        following overrides round by round, and the divisions' names."""
        wanted: set[tuple[str, str]] = set()
        for code, sector in pairs:
            wanted |= {(c, sector) for c in tree_ancestors(code)}
        while wanted:
            fetched = self._fetch(wanted)
            wanted = set()
            for entry in fetched:
                target = entry.escalates_to_id
                if target and (target, entry.sector_id) not in self._entries:
                    wanted |= {(c, entry.sector_id) for c in tree_ancestors(target)}
        # The names of the levels without an entry (a level with one came with its entry).
        codes = {code for code, _ in self._entries} - set(self._names)
        if codes:
            self._names.update(Region.objects.filter(code__in=codes).values_list("code", "name"))

    def chain(self, region_code: str, sector: str) -> Chain:
        """The chain of ``region_code`` in ``sector`` (load it first; a pair never loaded is
        loaded now), built once per start and sector."""
        start = start_code(region_code)
        cached = self._chains.get((start, sector))
        if cached is not None:
            return cached
        if (start, sector) not in self._entries:
            self.load([(start, sector)])
        chain = self._chains[(start, sector)] = Chain(sector=sector)
        current: str | None = start
        while current:
            entry = self._entries.get((current, sector))
            chain.levels.append(Level(current, self._names.get(current, current), entry))
            target = entry.escalates_to_id if entry is not None else None
            nxt = target if target and len(target) < len(current) else parent_code(current)
            if nxt and (nxt, sector) not in self._entries:
                self.load([(nxt, sector)])
            current = nxt
        return chain


def chain_for(*, region_code: str, sector: str) -> Chain:
    """The chain of one division and sector (a page; the job uses ``Chains``)."""
    return Chains().chain(region_code, sector)
