"""Kinds of notice of the escalation (registered with the notifications app in
``ResponsibilityConfig.ready``): who hears of each step and of an urging.

- ``responsibility.reminder`` (the reminder step): the responsible party's managers (for a
  late review, the reviewing body);
- ``responsibility.overdue`` (the due step): the enterprise principal and the sector
  regulator;
- ``responsibility.escalated`` (the county, city and province steps): that level's officials
  on the list who have accounts, its lead department and its safety committee office;
- ``responsibility.urged`` (an urging): the responsible party's managers and the sector
  regulator.

The notifications app keeps only those who may view the hazard and never tells the actor;
a notice is unique per event, user and kind, so a handler run twice tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from hazardledger.core.models import OutboxEvent
    from hazardledger.notifications.kinds import NoticeKind
    from hazardledger.notifications.models import Notice

    from .chain import Chain, Level


def _hazard(event: OutboxEvent) -> Any:
    from hazardledger.hazards.models import Hazard

    return Hazard.objects.select_related("site", "organisation").filter(pk=event.object_id).first()


def _chain(hazard: Any) -> Chain:
    from .chain import chain_for

    return chain_for(region_code=hazard.region_id, sector=hazard.sector_id)


def party_users(hazard: Any, roles: Iterable[str]) -> list[int]:
    """The responsible party's users with ``roles``: the enterprise's, or, for a site without
    one, the township's (grid workers and leaders)."""
    from hazardledger.accounts.choices import OrganisationKind, Role
    from hazardledger.accounts.models import User

    users = User.objects.filter(is_active=True)
    if hazard.organisation_id is not None:
        users = users.filter(organisation_id=hazard.organisation_id, role__in=list(roles))
    else:
        users = users.filter(
            organisation__kind=OrganisationKind.TOWNSHIP,
            organisation__region_id=hazard.region_id[:9],
            role__in=[Role.GRID_WORKER, Role.LEADER],
        )
    return list(users.values_list("pk", flat=True))


def department_users(level: Level) -> list[int]:
    """The users of the level's lead department (its inspectors and leaders), and the users
    named on the department's side of its entry."""
    from hazardledger.accounts.choices import Role
    from hazardledger.accounts.models import User

    from .choices import OfficialSide

    ids = [o.user_id for o in level.officials_on(OfficialSide.DEPARTMENT) if o.user_id]
    department = level.department
    if department is not None:
        ids += User.objects.filter(
            organisation_id=department.pk,
            is_active=True,
            role__in=[Role.INSPECTOR, Role.LEADER, Role.OFFICE],
        ).values_list("pk", flat=True)
    return ids


def level_users(level: Level) -> list[int]:
    """A level's responsible officials who have accounts: those on its entry, its lead
    department's and its safety committee office's."""
    from hazardledger.accounts.choices import OrganisationKind, Role
    from hazardledger.accounts.models import User

    ids = [o.user_id for o in level.officials if o.user_id] + department_users(level)
    ids += User.objects.filter(
        Q(organisation__kind=OrganisationKind.OFFICE, role__in=[Role.OFFICE, Role.LEADER]),
        organisation__region_id=level.code,
        is_active=True,
    ).values_list("pk", flat=True)
    return ids


def _level(chain: Chain, code: str) -> Level:
    from .chain import Level

    for level in chain.levels:
        if level.code == code:
            return level
    return Level(code, code, None)


def _step_recipients(steps: tuple[str, ...]) -> Any:
    def recipients(event: OutboxEvent) -> Iterable[Any]:
        from hazardledger.accounts.choices import Role
        from hazardledger.accounts.models import User

        from .choices import EscalationReason, EscalationStepName

        data = event.data or {}
        step, reason = data.get("step"), data.get("reason")
        hazard = _hazard(event) if step in steps else None
        if hazard is None:
            return []
        chain = _chain(hazard)
        review = reason == EscalationReason.REVIEW_OVERDUE
        if step == EscalationStepName.REMINDER:
            ids = (
                department_users(chain.regulator)
                if review
                else party_users(hazard, [Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_PRINCIPAL])
            )
        elif step == EscalationStepName.DUE:
            ids = department_users(chain.regulator)
            if not review:
                ids += party_users(hazard, [Role.ENTERPRISE_PRINCIPAL])
        else:
            ids = level_users(_level(chain, str(data.get("region_code", ""))))
        return User.objects.filter(pk__in=set(ids))

    return recipients


def _urged_recipients(event: OutboxEvent) -> Iterable[Any]:
    from hazardledger.accounts.choices import Role
    from hazardledger.accounts.models import User

    hazard = _hazard(event)
    if hazard is None:
        return []
    ids = party_users(hazard, [Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_PRINCIPAL])
    ids += department_users(_chain(hazard).regulator)
    return User.objects.filter(pk__in=set(ids))


def _params(event: OutboxEvent) -> dict[str, Any]:
    from hazardledger.regions.models import Region

    hazard = _hazard(event)
    data = event.data or {}
    days = int(data.get("days") or 0)
    on = timezone.localtime(event.created_at).date() - timedelta(days=days)
    code = str(data.get("region_code", ""))
    level = Region.objects.filter(code=code).values_list("name", flat=True).first() or code
    return {
        "hazard_id": hazard.pk if hazard else event.object_id,
        "site": hazard.site.name if hazard else "",
        "grade": data.get("grade", ""),
        "step": data.get("step", ""),
        "reason": data.get("reason", ""),
        "days": days,
        "basis": on.isoformat(),
        "level": level,
        "message": str(data.get("message", ""))[:200],
    }


def _url(event: OutboxEvent) -> str:
    from django.urls import reverse

    return reverse("hazards:hazard-detail", kwargs={"pk": event.object_id})


def _render(general: Any, review: Any) -> Any:
    def render(notice: Notice) -> str:
        from hazardledger.hazards.choices import HazardGrade

        values = {"hazard_id": "", "site": "", "basis": "", "level": "", "message": ""}
        values.update(notice.params)
        grade = notice.params.get("grade", "")
        values["grade"] = str(HazardGrade(grade).label) if grade in HazardGrade.values else ""
        template = review if notice.params.get("reason") == "review_overdue" else general
        return str(template) % values

    return render


def kinds() -> list[NoticeKind]:
    """The escalation's kinds of notice."""
    from hazardledger.notifications.kinds import NoticeKind

    from .choices import ESCALATING_STEPS, EscalationStepName

    topic = ("hazards.hazard.escalate",)
    return [
        NoticeKind(
            name="responsibility.reminder",
            label=_("A hazard's deadline is near"),
            topics=topic,
            recipients=_step_recipients((EscalationStepName.REMINDER,)),
            render=_render(
                _("%(grade)s #%(hazard_id)s at %(site)s must be rectified by %(basis)s."),
                _("The review of %(grade)s #%(hazard_id)s at %(site)s is due on %(basis)s."),
            ),
            params=_params,
            url=_url,
        ),
        NoticeKind(
            name="responsibility.overdue",
            label=_("A hazard is overdue"),
            topics=topic,
            recipients=_step_recipients((EscalationStepName.DUE,)),
            render=_render(
                _("%(grade)s #%(hazard_id)s at %(site)s is overdue: its deadline was %(basis)s."),
                _(
                    "The review of %(grade)s #%(hazard_id)s at %(site)s is overdue: it was "
                    "due on %(basis)s."
                ),
            ),
            params=_params,
            url=_url,
        ),
        NoticeKind(
            name="responsibility.escalated",
            label=_("An overdue hazard was escalated to your level"),
            topics=topic,
            recipients=_step_recipients(tuple(ESCALATING_STEPS)),
            render=_render(
                _(
                    "%(grade)s #%(hazard_id)s at %(site)s is %(days)s days overdue and was "
                    "escalated to %(level)s."
                ),
                _(
                    "The review of %(grade)s #%(hazard_id)s at %(site)s is %(days)s days "
                    "overdue and was escalated to %(level)s."
                ),
            ),
            params=_params,
            url=_url,
        ),
        NoticeKind(
            name="responsibility.urged",
            label=_("An overdue hazard was urged"),
            topics=("hazards.hazard.urge",),
            recipients=_urged_recipients,
            render=_render(
                _("%(level)s urged the rectification of #%(hazard_id)s at %(site)s: %(message)s"),
                _("%(level)s urged the rectification of #%(hazard_id)s at %(site)s: %(message)s"),
            ),
            params=_params,
            url=_url,
        ),
    ]


def register() -> None:
    from hazardledger.notifications.kinds import register_kind

    for kind in kinds():
        register_kind(kind)
