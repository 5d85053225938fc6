from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "hazardledger.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from hazardledger.audit.actions import register_action

        from .constants import AUDIT_ACTIONS

        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)
