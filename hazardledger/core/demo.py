"""The demo province's extension point.

``manage.py load_demo`` builds the registry (organisations, users, sites) and then calls, in
``DEMO_STEPS`` order, each app's ``demo_populate(ctx)`` from ``hazardledger/<app>/demo.py``.
Each step must be deterministic for a given seed (draw only from ``ctx.rng``), use bulk inserts,
and scale with the number of sites.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Apps that add to the demo province after the registry, in order.
DEMO_STEPS: list[str] = ["risks", "hazards", "inspections"]


@dataclass
class DemoContext:
    """What the registry step built, for the steps after it.

    ``logins`` maps each fixed demo login (``admin``, ``gd-office``, ``gz-office``,
    ``gz-inspector``, ``th-grid``, ``ent-a``, ``ent-a-boss``, ``ent-b``, ``gz-leader``) to its
    user; ``now`` is the fixed "present" of the demo, so that dates are reproducible.
    """

    rng: random.Random
    seed: int
    now: datetime
    logins: dict[str, Any]
    out: Any

    def say(self, message: str) -> None:
        self.out.write(message)
