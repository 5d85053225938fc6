from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _follow_site(sender: Any, site: Any, **kwargs: Any) -> None:
    """Keep the tasks of a site that moved in its scope (``site_relocated``); the counters
    follow with ``manage.py campaign_progress_rebuild``."""
    from hazardledger.registry.services import site_scope_resync

    from .models import Task

    site_scope_resync(site=site, rows=[(Task, "site_id")])


class CampaignsConfig(AppConfig):
    name = "hazardledger.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action
        from hazardledger.core.outbox import register_handler
        from hazardledger.core.periodic import register_periodic
        from hazardledger.registry.signals import site_relocated

        from . import extensions, notices
        from .constants import AUDIT_ACTIONS
        from .handlers import HANDLERS
        from .policies import POLICIES
        from .tasks import weekly_reports_task

        for policy in POLICIES:
            register_policy(policy)
        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)
        for name, topics, func in HANDLERS:
            register_handler(name=name, topics=topics, func=func)
        notices.register()
        extensions.register()
        register_periodic(
            name="campaigns.weekly_reports", task=weekly_reports_task, cron="0 7 * * 1"
        )
        site_relocated.connect(_follow_site, dispatch_uid="campaigns-follow-site")
