"""The kind of notice the reports app adds (``notifications.kinds``): a statistics return due
soon, told to the enterprise's officers and principal (``services.returns_remind`` writes the
event once per return, some days before its due date)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hazardledger.core.models import OutboxEvent
    from hazardledger.notifications.models import Notice


def _recipients(event: OutboxEvent) -> Iterable[Any]:
    from hazardledger.accounts.choices import Role
    from hazardledger.accounts.models import User

    from .models import StatisticsReturn

    organisation_id = (
        StatisticsReturn.objects.filter(pk=event.object_id)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if organisation_id is None:
        return []
    return User.objects.filter(
        organisation_id=organisation_id,
        role__in=[Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_PRINCIPAL],
        is_active=True,
    )


def _params(event: OutboxEvent) -> dict[str, Any]:
    return {
        "period": str(event.data.get("period", "")),
        "due_on": str(event.data.get("due_on", "")),
        "annual": bool(event.data.get("annual")),
    }


def _render(notice: Notice) -> str:
    from django.utils.translation import gettext as _

    from .returns import ReturnPeriodKey

    key = ReturnPeriodKey.parse(str(notice.params.get("period", "")))
    return _("The hazard statistics return for %(period)s is due on %(due_on)s.") % {
        "period": key.label if key else notice.params.get("period", ""),
        "due_on": notice.params.get("due_on", ""),
    }


def _url(event: OutboxEvent) -> str:
    from django.urls import reverse

    return reverse("reports:return-detail", kwargs={"pk": event.object_id})


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from hazardledger.notifications.kinds import NoticeKind, register_kind

    register_kind(
        NoticeKind(
            name="reports.statistics_due",
            label=_("A hazard statistics return is due soon"),
            topics=("reports.statisticsreturn.remind",),
            recipients=_recipients,
            render=_render,
            params=_params,
            url=_url,
        )
    )
