from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _follow_site(sender: Any, site: Any, **kwargs: Any) -> None:
    """Keep this app's rows in the scope of a site that moved (``site_relocated``)."""
    from hazardledger.registry.services import site_scope_resync

    from .models import Evidence, ExtensionRequest, Hazard, QuickReport, RectificationPlan

    site_scope_resync(
        site=site,
        rows=[
            (Hazard, "site_id"),
            (RectificationPlan, "hazard__site_id"),
            (ExtensionRequest, "hazard__site_id"),
            (Evidence, "hazard__site_id"),
            (QuickReport, "site_id"),
        ],
    )


class HazardsConfig(AppConfig):
    name = "hazardledger.hazards"
    label = "hazards"
    verbose_name = _("Hazard ledger")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action

        from . import extensions
        from .policies import POLICIES

        for policy in POLICIES:
            register_policy(policy)
        extensions.register()

        from .choices import HazardAction

        for action, label in HazardAction.choices:
            register_action(f"hazards.hazard.{action}", label)
        register_action("hazards.quickreport.create", _("Quick report filed"))
        register_action("hazards.quickreport.accept", _("Quick report recorded in the ledger"))
        register_action("hazards.quickreport.reject", _("Quick report rejected"))

        from hazardledger.registry.signals import site_relocated

        site_relocated.connect(_follow_site, dispatch_uid="hazards-follow-site")
