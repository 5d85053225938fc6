from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "hazardledger.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.core.outbox import register_handler
        from hazardledger.core.periodic import register_periodic

        from . import extensions, handlers
        from .policies import POLICIES
        from .tasks import rollups_time_sweep_task

        for policy in POLICIES:
            register_policy(policy)
        # "rollups." sorts after "risks.": the site handler reads the level risks wrote.
        register_handler(
            name="rollups.hazards",
            topics=["hazards.hazard.*", "registry.site.relocate"],
            func=handlers.hazard_rollups,
        )
        register_handler(
            name="rollups.sites",
            topics=["registry.site.*", "risks.*", "hazards.hazard.*"],
            func=handlers.site_rollups,
        )
        # Hourly: a minute past midnight turns the day's deadlines overdue; the other hours
        # catch up after downtime and cost one index probe when nothing is due.
        register_periodic(
            name="reporting.rollups_time_sweep", task=rollups_time_sweep_task, cron="1 * * * *"
        )
        extensions.register()
