from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazardledger.hazards"
    label = "hazards"
    verbose_name = _("Hazard ledger")

    def ready(self) -> None:
        from hazardledger.audit.actions import register_action

        from .choices import HazardAction

        for action, label in HazardAction.choices:
            register_action(f"hazards.hazard.{action}", label)
        register_action("hazards.quickreport.create", _("Quick report filed"))
        register_action("hazards.quickreport.accept", _("Quick report recorded in the ledger"))
        register_action("hazards.quickreport.reject", _("Quick report rejected"))
