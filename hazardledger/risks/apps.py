from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _follow_site(sender: Any, site: Any, **kwargs: Any) -> None:
    from .services import site_risk_rows_resync

    site_risk_rows_resync(site=site)


class RisksConfig(AppConfig):
    name = "hazardledger.risks"
    label = "risks"
    verbose_name = _("Risk grading")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action
        from hazardledger.core.outbox import register_handler

        from . import extensions, handlers
        from .policies import POLICIES

        for policy in POLICIES:
            register_policy(policy)
        extensions.register()

        from .constants import AUDIT_ACTIONS

        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)

        register_handler(
            name="risks.site_risk_refresh",
            topics=["hazards.hazard.*", "risks.riskassessment.*"],
            func=handlers.site_risk_refresh,
        )
        register_handler(
            name="risks.record_visit",
            topics=["inspections.inspection.submit"],
            func=handlers.record_visit,
        )

        from hazardledger.registry.signals import site_relocated

        # Inside the transaction that moves the site: scope must follow it at once.
        site_relocated.connect(_follow_site, dispatch_uid="risks-follow-site")
