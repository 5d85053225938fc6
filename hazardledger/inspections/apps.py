from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _follow_site(sender: Any, site: Any, **kwargs: Any) -> None:
    """Keep this app's rows in the scope of a site that moved (``site_relocated``)."""
    from hazardledger.registry.services import site_scope_resync

    from .models import HazardDraft, Inspection, ItemResult, RecheckDecision

    site_scope_resync(
        site=site,
        rows=[
            (Inspection, "site_id"),
            (ItemResult, "inspection__site_id"),
            (HazardDraft, "inspection__site_id"),
            (RecheckDecision, "inspection__site_id"),
        ],
    )


class InspectionsConfig(AppConfig):
    name = "hazardledger.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action

        from . import extensions
        from .policies import POLICIES

        for policy in POLICIES:
            register_policy(policy)
        extensions.register()

        from .constants import AUDIT_ACTIONS

        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)

        from hazardledger.registry.signals import site_relocated

        site_relocated.connect(_follow_site, dispatch_uid="inspections-follow-site")
