"""Make a campaign's tasks and progress counters again from the data (after a failure of the
handlers, a change of the rules, or sites registered since the campaign was issued)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hazardledger.campaigns.models import Campaign
from hazardledger.campaigns.progress import progress_rebuild
from hazardledger.campaigns.services import campaign_tasks_build
from hazardledger.core.transactions import durable_atomic


class Command(BaseCommand):
    help = (
        "Rebuild campaigns' tasks, links and progress counters (every root campaign, or the "
        "cascades of the given ids)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("campaigns", nargs="*", type=int, help="campaign ids (any level)")

    def handle(self, *args: Any, campaigns: list[int], **options: Any) -> None:
        roots = Campaign.objects.filter(parent__isnull=True)
        if campaigns:
            found = Campaign.objects.filter(pk__in=campaigns)
            if found.count() != len(set(campaigns)):
                raise CommandError("No campaign has some of these ids.")
            roots = roots.filter(pk__in={c.root_pk for c in found})
        for root in roots.order_by("pk"):
            with durable_atomic():
                # The root's tasks first (sites registered since), then each take-up's, in
                # the order they were made, so new sites reach the level now responsible.
                campaign_tasks_build(campaign_id=root.pk)
                for level in Campaign.objects.filter(root=root).order_by("pk"):
                    campaign_tasks_build(campaign_id=level.pk)
                totals = progress_rebuild(root=root)
            self.stdout.write(
                f"{root.pk} {root.title}: {totals['sites']} sites, {totals['inspected']} "
                f"inspected, {totals['hazards']} hazards ({totals['major']} major)"
            )
