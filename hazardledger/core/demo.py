"""The demo province's context, handed from step to step.

``manage.py load_demo`` runs the demo steps apps register (``core.extensions.DEMO_STEPS``) in
order, inside one transaction: the accounts step builds the organisations and the logins, the
registry step the sites, then risks, hazards and inspections add theirs. Each step must be
deterministic for a given seed (draw only from ``ctx.rng``), use bulk inserts, and scale with
the number of sites.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .extensions import DEMO_STEPS

__all__ = ["DEMO_STEPS", "DemoContext"]


@dataclass
class DemoContext:
    """What the steps so far built, for the steps after them.

    ``logins`` maps each fixed demo login (``admin``, ``gd-office``, ``gz-office``,
    ``gz-inspector``, ``th-grid``, ``ent-a``, ``ent-a-boss``, ``ent-b``, ``gz-leader``) to its
    user; ``now`` is the fixed "present" of the demo, so that dates are reproducible; ``sites``
    is how many sites were asked for; ``built`` is where a step leaves what later steps use
    (``built["organisations"]`` from the accounts step).
    """

    rng: random.Random
    seed: int
    now: datetime
    logins: dict[str, Any]
    out: Any
    sites: int = 0
    password: str = ""
    built: dict[str, Any] = field(default_factory=dict)

    def say(self, message: str) -> None:
        self.out.write(message)
