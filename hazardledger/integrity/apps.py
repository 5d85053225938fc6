from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "hazardledger.integrity"
    label = "integrity"
    verbose_name = _("Integrity")

    def ready(self) -> None:
        from django.conf import settings

        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action
        from hazardledger.core.extensions import DemoStep, register_demo_step
        from hazardledger.core.periodic import register_periodic

        from .demo import demo_clear, demo_step
        from .policies import POLICIES
        from .tasks import checkpoint_task

        for policy in POLICIES:
            register_policy(policy)
        register_action("integrity.checkpoint.create", _("Checkpoint signed"))
        register_action("integrity.checkpoint.import", _("Checkpoint imported"))
        register_periodic(
            name="integrity.checkpoint",
            task=checkpoint_task,
            cron=settings.INTEGRITY_CHECKPOINT_CRON,
        )
        register_demo_step(
            DemoStep(
                name="integrity",
                run=demo_step,
                order=90,
                after=("hazards",),
                clear=demo_clear,
            )
        )
