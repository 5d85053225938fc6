from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hazardledger.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from hazardledger.core.extensions import DemoStep, register_demo_step

        from .demo import demo_step, existing_demo_logins

        register_demo_step(
            DemoStep(
                name="accounts",
                run=demo_step,
                order=0,
                after=("regions",),
                existing_logins=existing_demo_logins,
            )
        )
