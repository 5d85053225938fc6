from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hazardledger.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from hazardledger.core.periodic import register_periodic

        from .kinds import register_builtin_kinds
        from .tasks import deliveries_sweep_task, digest_send_task

        # Registering a kind subscribes the outbox handler (notifications.notices) to its topics.
        register_builtin_kinds()
        register_periodic(
            name="notifications.deliveries_sweep", task=deliveries_sweep_task, cron="* * * * *"
        )
        register_periodic(
            name="notifications.digest_send", task=digest_send_task, cron="0 18 * * *"
        )
