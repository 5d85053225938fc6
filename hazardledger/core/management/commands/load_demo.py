"""Build the demo province: organisations, users, sites, then each app's demo step."""

from __future__ import annotations

import importlib
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from hazardledger.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD, build_organisations
from hazardledger.accounts.models import Organisation, User
from hazardledger.core.demo import DEMO_STEPS, DemoContext
from hazardledger.regions.services import reference_data_ensure
from hazardledger.registry.demo import build_sites


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
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; demo not loaded.")
                self._print_logins(User.objects.filter(username__in=DEMO_LOGINS))
                return
            raise CommandError("The database already has organisations; use an empty database.")
        started = time.perf_counter()
        rng = random.Random(seed)
        reference_data_ensure()
        with transaction.atomic():
            orgs = build_organisations(rng=rng)
            count = build_sites(rng=rng, orgs=orgs, count=sites)
            self.stdout.write(
                f"{len(orgs.enterprises)} enterprises, {orgs.users} users, {count} sites"
            )
            ctx = DemoContext(
                rng=rng, seed=seed, now=timezone.now(), logins=orgs.logins, out=self.stdout
            )
            for app in DEMO_STEPS:
                module = importlib.import_module(f"hazardledger.{app}.demo")
                step_started = time.perf_counter()
                module.demo_populate(ctx)
                self.stdout.write(f"{app}: {time.perf_counter() - step_started:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(f"Demo province loaded in {time.perf_counter() - started:.1f}s.")
        )
        self._print_logins(orgs.logins.values())

    def _print_logins(self, users: Any) -> None:
        users = sorted(users, key=lambda user: DEMO_LOGINS.index(user.username))
        if not users:
            return
        self.stdout.write(f"Demo logins (password “{DEMO_PASSWORD}”):")
        for user in users:
            self.stdout.write(
                f"  {user.username:<14} {user.get_role_display()} · {user.organisation}"
            )
