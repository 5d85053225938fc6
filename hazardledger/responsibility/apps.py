from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "hazardledger.responsibility"
    label = "responsibility"
    verbose_name = _("Responsibility")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action
        from hazardledger.core.periodic import register_periodic

        from . import extensions, handlers, kinds
        from .constants import AUDIT_ACTIONS
        from .policies import POLICIES
        from .schedule import check_settings
        from .tasks import escalation_tick_task

        check_settings()
        for policy in POLICIES:
            register_policy(policy)
        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)
        handlers.register()
        kinds.register()
        extensions.register()
        register_periodic(
            name="responsibility.escalation", task=escalation_tick_task, cron="*/15 * * * *"
        )
