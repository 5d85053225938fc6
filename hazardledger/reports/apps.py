from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "hazardledger.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action
        from hazardledger.core.periodic import register_periodic

        from . import notices
        from .constants import AUDIT_ACTIONS
        from .policies import POLICIES
        from .tasks import reports_sweep_task, returns_remind_task

        for policy in POLICIES:
            register_policy(policy)
        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)
        notices.register()
        # Reminders go out in the morning; reports whose enqueue was lost are picked up again.
        register_periodic(name="reports.returns_remind", task=returns_remind_task, cron="0 9 * * *")
        register_periodic(name="reports.sweep", task=reports_sweep_task, cron="*/10 * * * *")
