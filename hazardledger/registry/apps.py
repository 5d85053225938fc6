from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "hazardledger.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from hazardledger.access.policy import register_policy
        from hazardledger.audit.actions import register_action

        from . import extensions
        from .constants import AUDIT_ACTIONS
        from .policies import SITE_POLICY

        register_policy(SITE_POLICY)
        extensions.register()
        for name, label in AUDIT_ACTIONS.items():
            register_action(name, label)
