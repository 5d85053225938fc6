from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from .services import reference_data_ensure

    reference_data_ensure(using=using)


class RegionsConfig(AppConfig):
    name = "hazardledger.regions"
    label = "regions"
    verbose_name = _("Regions and sectors")

    def ready(self) -> None:
        post_migrate.connect(_load_reference_data, sender=self, dispatch_uid="regions-reference")

        from hazardledger.core.extensions import DemoStep, register_demo_step

        from .services import reference_data_ensure

        register_demo_step(
            DemoStep(name="regions", run=lambda ctx: reference_data_ensure(), order=-10)
        )
