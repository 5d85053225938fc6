"""The escalation schedule: on which day, counted from the deadline (or the review due date),
each step falls due, per sector and grade.

Defaults (domain.md 0.2): a general hazard's reminder 3 days before, the enterprise principal
and the sector regulator told on the first day overdue, the county at 7 days overdue, the
city at 15 and the province at 30; a major hazard's at half the delay, rounded up (2 days
before, then 1, 4, 8, 15). ``settings.ESCALATION_SCHEDULE`` (the environment variable of the
same name, JSON) overrides them::

    {"*": {"general": [-3, 1, 7, 15, 30]},
     "mines": {"general": [-5, 1, 5, 10, 20], "major": [-3, 1, 2, 5, 10]}}

Keys are sector codes, ``*`` for every sector; each grade gives five whole numbers (reminder,
due, county, city, province), strictly increasing, the reminder at most 0 and the due day at
least 1. A grade left out of a sector takes the sector's general days halved for a major
hazard, else the ``*`` entry's, else the defaults. After a change, run
``manage.py escalation_rebuild`` so that every hazard's next due date follows it.
"""

from __future__ import annotations

import itertools
import json
import math
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hazardledger.hazards.choices import HazardGrade

from .constants import DEFAULT_GENERAL_DAYS, STEPS

Days = tuple[int, int, int, int, int]


def halve(days: tuple[int, ...]) -> Days:
    """Half the delay, rounded up away from the deadline (3 → 2 days before; 7 → 4 after)."""
    halved = tuple(int(math.copysign(math.ceil(abs(d) / 2), d)) if d else 0 for d in days)
    return halved  # type: ignore[return-value]


def _check(days: Any, where: str) -> Days:
    if (
        not isinstance(days, list | tuple)
        or len(days) != len(STEPS)
        or not all(isinstance(d, int) and not isinstance(d, bool) for d in days)
    ):
        raise ImproperlyConfigured(f"ESCALATION_SCHEDULE {where}: five whole numbers expected")
    if any(b <= a for a, b in itertools.pairwise(days)):
        raise ImproperlyConfigured(f"ESCALATION_SCHEDULE {where}: days must increase")
    if days[0] > 0 or days[1] < 1 or abs(days[-1]) > 3650:
        raise ImproperlyConfigured(
            f"ESCALATION_SCHEDULE {where}: the reminder is at most 0, the due day at least 1"
        )
    return tuple(days)


def parse_schedule(raw: Any) -> dict[str, dict[str, Days]]:
    """The schedule from the setting (a JSON text or a mapping), checked. Raises
    ``ImproperlyConfigured`` for anything malformed, so a bad value fails at start-up."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ImproperlyConfigured("ESCALATION_SCHEDULE is not valid JSON") from exc
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("ESCALATION_SCHEDULE must map sectors to grades")
    parsed: dict[str, dict[str, Days]] = {}
    for sector, grades in raw.items():
        if not isinstance(grades, dict) or not set(grades) <= set(HazardGrade.values):
            raise ImproperlyConfigured(
                f"ESCALATION_SCHEDULE {sector!r}: give 'general' and/or 'major'"
            )
        parsed[str(sector)] = {
            grade: _check(days, f"{sector}/{grade}") for grade, days in grades.items()
        }
    return parsed


@lru_cache(maxsize=8)
def _parsed(raw: str) -> dict[str, dict[str, Days]]:
    return parse_schedule(json.loads(raw) if raw else "")


def _configured() -> dict[str, dict[str, Days]]:
    raw = getattr(settings, "ESCALATION_SCHEDULE", "") or ""
    if not isinstance(raw, str):
        raw = json.dumps(raw, sort_keys=True)
    return _parsed(raw)


def step_days(*, sector: str, grade: str) -> Days:
    """The five days (reminder, due, county, city, province) for a hazard of ``grade`` in
    ``sector``, counted from the deadline (negative: before it)."""
    configured = _configured()
    for key in (sector, "*"):
        grades = configured.get(key, {})
        if grade in grades:
            return grades[grade]
        if grade == HazardGrade.MAJOR and HazardGrade.GENERAL in grades:
            return halve(grades[HazardGrade.GENERAL])
    general = tuple(DEFAULT_GENERAL_DAYS)
    return halve(general) if grade == HazardGrade.MAJOR else general  # type: ignore[return-value]


def step_offset(*, step: str, sector: str, grade: str) -> int:
    """The day ``step`` falls due, counted from the basis date."""
    return step_days(sector=sector, grade=grade)[STEPS.index(step)]


def check_settings() -> None:
    """Parse the setting once (``ResponsibilityConfig.ready``): a malformed schedule stops
    the start."""
    _configured()
