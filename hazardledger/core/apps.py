from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hazardledger.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .outbox import outbox_sweep
        from .periodic import register_periodic
        from .tasks import job_history_prune, stash_prune

        register_periodic(name="core.outbox_sweep", task=outbox_sweep, cron="* * * * *")
        register_periodic(name="core.job_history_prune", task=job_history_prune, cron="17 3 * * *")
        register_periodic(name="core.stash_prune", task=stash_prune, cron="41 * * * *")
