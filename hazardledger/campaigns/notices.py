"""The kinds of notice campaigns add to the notifications app (``register_kind`` in
``CampaignsConfig.ready``): a campaign handed down to a region's office, tasks issued to the
bodies responsible and self-inspections to enterprises' principals, tasks given to people,
circulars and urging letters to a region."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hazardledger.accounts.choices import OrganisationKind, Role
from hazardledger.accounts.models import User
from hazardledger.core.models import OutboxEvent
from hazardledger.notifications.kinds import NoticeKind, register_kind

from .models import Campaign, Circular, Task


def _campaign(event: OutboxEvent) -> Campaign | None:
    return Campaign.objects.filter(pk=event.object_id).first()


def _campaign_params(event: OutboxEvent) -> dict[str, Any]:
    campaign = _campaign(event)
    return {
        "campaign_id": event.object_id,
        "title": campaign.title if campaign else "",
        "count": int(event.data.get("tasks") or 0),
    }


def _campaign_url(event: OutboxEvent) -> str:
    return reverse("campaigns:campaign-detail", kwargs={"pk": event.object_id})


def _tasks_url(event: OutboxEvent) -> str:
    return reverse("campaigns:my-tasks")


def _take_up_recipients(event: OutboxEvent) -> Iterable[User]:
    """The offices of the regions the campaign was handed down to."""
    codes = event.data.get("delegated") or []
    return User.objects.filter(
        is_active=True,
        role=Role.OFFICE,
        organisation__kind=OrganisationKind.OFFICE,
        organisation__region_id__in=codes,
    )


def _tasks_recipients(event: OutboxEvent) -> Iterable[User]:
    """The people of the bodies the level's tasks are for (townships, departments)."""
    responsible = Task.objects.filter(campaign_id=event.object_id, issued=True).values(
        "responsible_id"
    )
    return User.objects.filter(
        is_active=True,
        organisation_id__in=responsible,
        role__in=[Role.GRID_WORKER, Role.INSPECTOR, Role.OFFICE],
    )


def _self_inspection_recipients(event: OutboxEvent) -> Iterable[User]:
    """The principals of the enterprises with a self-inspection task at this level (they lead
    it)."""
    enterprises = Task.objects.filter(
        campaign_id=event.object_id, issued=True, self_due_on__isnull=False
    ).values("organisation_id")
    return User.objects.filter(
        is_active=True, organisation_id__in=enterprises, role=Role.ENTERPRISE_PRINCIPAL
    )


def _assigned_recipients(event: OutboxEvent) -> Iterable[User]:
    return User.objects.filter(is_active=True, pk__in=event.data.get("user_ids") or [])


def _circular(event: OutboxEvent) -> Circular | None:
    return Circular.objects.select_related("campaign").filter(pk=event.object_id).first()


def _circular_recipients(event: OutboxEvent) -> Iterable[User]:
    """The office and the leadership of the region the circular was sent to."""
    circular = _circular(event)
    if circular is None:
        return []
    return User.objects.filter(
        is_active=True,
        organisation__region_id=circular.region_id,
        organisation__kind__in=[OrganisationKind.OFFICE, OrganisationKind.LEADERSHIP],
    )


def _circular_params(event: OutboxEvent) -> dict[str, Any]:
    circular = _circular(event)
    if circular is None:
        return {"circular_id": event.object_id, "title": "", "kind": ""}
    return {
        "circular_id": circular.pk,
        "title": circular.campaign.title,
        "kind": circular.kind,
        "issuer": circular.issuer_name,
    }


def _circular_url(event: OutboxEvent) -> str:
    return reverse("campaigns:circular-detail", kwargs={"pk": event.object_id})


def _render(message: Any) -> Any:
    def render(notice: Any) -> str:
        values = {"title": "", "count": 0, "issuer": "", **notice.params}
        return str(message) % values

    return render


def _render_circular(notice: Any) -> str:
    values = {"title": "", "issuer": "", **notice.params}
    if notice.params.get("kind") == "urging":
        return str(_("%(issuer)s sent you a letter urging rectification: %(title)s.")) % values
    return str(_("%(issuer)s sent you a circular on %(title)s.")) % values


def register() -> None:
    """Register the campaign kinds (``CampaignsConfig.ready``)."""
    for kind in (
        NoticeKind(
            name="campaigns.take_up",
            label=_("A campaign was handed down to your region"),
            topics=("campaigns.campaign.issue", "campaigns.campaign.take_up"),
            recipients=_take_up_recipients,
            render=_render(_("Take up the campaign “%(title)s” for your region.")),
            params=_campaign_params,
            url=_campaign_url,
        ),
        NoticeKind(
            name="campaigns.tasks",
            label=_("Your body has campaign tasks"),
            topics=("campaigns.campaign.tasks",),
            recipients=_tasks_recipients,
            render=_render(_("The campaign “%(title)s” gives your body sites to inspect.")),
            params=_campaign_params,
            url=_tasks_url,
        ),
        NoticeKind(
            name="campaigns.self_inspection",
            label=_("Your enterprise must self-inspect for a campaign"),
            topics=("campaigns.campaign.tasks",),
            recipients=_self_inspection_recipients,
            render=_render(
                _("Lead your enterprise's self-inspection for the campaign “%(title)s”.")
            ),
            params=_campaign_params,
            url=_tasks_url,
        ),
        NoticeKind(
            name="campaigns.assigned",
            label=_("Campaign tasks were given to you"),
            topics=("campaigns.campaign.assign",),
            recipients=_assigned_recipients,
            render=_render(_("%(count)s sites of the campaign “%(title)s” were given to you.")),
            params=_campaign_params,
            url=_tasks_url,
        ),
        NoticeKind(
            name="campaigns.circular",
            label=_("A circular or urging letter about a campaign"),
            topics=("campaigns.circular.send",),
            recipients=_circular_recipients,
            render=_render_circular,
            params=_circular_params,
            url=_circular_url,
        ),
    ):
        register_kind(kind)
