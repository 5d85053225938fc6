from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "hazardledger.risks"
    label = "risks"
    verbose_name = _("Risk grading")

    def ready(self) -> None:
        from hazardledger.audit.actions import register_action

        from .constants import AUDIT_ACTIONS

        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)
