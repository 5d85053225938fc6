"""Build the demo province: the demo steps the apps register, in order, in one transaction."""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from hazardledger.core.demo import DemoContext
from hazardledger.core.extensions import demo_steps


class Command(BaseCommand):
    help = "Load a realistic, deterministic demo province (refuses a database that has data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--sites", type=int, default=3000, help="number of sites (default 3000)"
        )
        parser.add_argument("--seed", type=int, default=20230303, help="random seed")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (and succeed) if data exists"
        )

    def handle(self, *args: Any, sites: int, seed: int, if_empty: bool, **options: Any) -> None:
        if sites < 10:
            raise CommandError("--sites must be at least 10")
        steps = demo_steps()
        existing = next((s.existing_logins for s in steps if s.existing_logins), None)
        found = existing() if existing is not None else None
        if found is not None:
            password, users = found
            if if_empty:
                self.stdout.write("The database already has data; demo not loaded.")
                self._print_logins(password, users)
                return
            raise CommandError("The database already has organisations; use an empty database.")
        started = time.perf_counter()
        ctx = DemoContext(
            rng=random.Random(seed),
            seed=seed,
            now=timezone.now(),
            logins={},
            out=self.stdout,
            sites=sites,
        )
        with transaction.atomic():
            for step in steps:
                step_started = time.perf_counter()
                step.run(ctx)
                self.stdout.write(f"{step.name}: {time.perf_counter() - step_started:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(f"Demo province loaded in {time.perf_counter() - started:.1f}s.")
        )
        self._print_logins(ctx.password, list(ctx.logins.values()))

    def _print_logins(self, password: str, users: list[Any]) -> None:
        if not users:
            return
        self.stdout.write(f"Demo logins (password “{password}”):")
        for user in users:
            self.stdout.write(
                f"  {user.username:<14} {user.get_role_display()} · {user.organisation}"
            )
