from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "hazardledger.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action

        from . import extensions
        from .constants import AUDIT_ACTIONS
        from .policies import POLICIES

        for policy in POLICIES:
            register_policy(policy)
        extensions.register()
        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)
