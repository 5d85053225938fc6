"""The registry of kinds of notice: what event is told to whom, with what text and link.

A kind maps outbox topics (fnmatch patterns) to the users who should hear of the event, the
parameters its text needs and the path of the object's page. Other apps add their kinds with
``register_kind`` (in their ``AppConfig.ready()``); the six kinds of the hazard workflow are
registered by ``register_builtin_kinds``.

Whatever a kind's ``recipients`` returns, the service keeps only the users who may view the
object (the object's permission policy) and never tells the event's actor of their own action.

Recipient, parameter and rendering functions may use other apps' selectors and policies, imported
inside the function, so this module imports no other app at import time.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hazardledger.accounts.models import User
    from hazardledger.core.models import OutboxEvent

    from .models import Notice


@dataclass(frozen=True)
class NoticeKind:
    """One kind of notice (``name`` such as ``hazards.recorded_by_inspection``).

    - ``label``: shown on the preferences page (lazy translation);
    - ``topics``: the outbox topic patterns it listens to;
    - ``recipients``: the users who should hear of an event (may be empty);
    - ``render``: one line of text in the active language, from ``notice.params``;
    - ``params``: the JSON-safe parameters stored on the notice;
    - ``url``: the path of the object's page;
    - ``default_channels``: the outbound channels used when a user has no preference.
    """

    name: str
    label: Any
    topics: tuple[str, ...]
    recipients: Callable[[OutboxEvent], Iterable[User]]
    render: Callable[[Notice], str]
    params: Callable[[OutboxEvent], dict[str, Any]]
    url: Callable[[OutboxEvent], str]
    default_channels: tuple[str, ...] = ("email",)

    def wants(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.topics)


_KINDS: dict[str, NoticeKind] = {}


HANDLER = "notifications.notices"


def register_kind(kind: NoticeKind) -> NoticeKind:
    """Register ``kind`` under its name (registering the name again replaces it) and subscribe
    the outbox handler to its topics."""
    _KINDS[kind.name] = kind
    _subscribe()
    return kind


def unregister_kind(name: str) -> None:
    """Forget a kind (tests that register their own)."""
    _KINDS.pop(name, None)
    _subscribe()


def _subscribe() -> None:
    """Subscribe the outbox handler ``notifications.notices`` to the topics of every registered
    kind (only those: other events are not marked handled by it)."""
    from hazardledger.core.outbox import register_handler, unregister_handler

    from .services import notices_from_event

    topics = sorted({topic for k in _KINDS.values() for topic in k.topics})
    if topics:
        register_handler(name=HANDLER, topics=topics, func=notices_from_event)
    else:
        unregister_handler(HANDLER)


def kind(name: str) -> NoticeKind:
    """The registered kind called ``name``; ``LookupError`` when there is none."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No notice kind is registered as {name!r}") from None


def kind_or_none(name: str) -> NoticeKind | None:
    """The registered kind called ``name``, or None."""
    return _KINDS.get(name)


def kinds() -> list[NoticeKind]:
    """All registered kinds, by name."""
    return [_KINDS[name] for name in sorted(_KINDS)]


def kinds_for_topic(topic: str) -> list[NoticeKind]:
    """The kinds listening to ``topic``, by name."""
    return [k for k in kinds() if k.wants(topic)]


# --- the kinds of the hazard workflow (issue 13) ----------------------------------------------


def _hazard(event: OutboxEvent) -> Any:
    from hazardledger.hazards.models import Hazard

    return Hazard.objects.select_related("site", "organisation").filter(pk=event.object_id).first()


def _actor_organisation_id(event: OutboxEvent) -> Any:
    from hazardledger.accounts.models import User

    if event.actor_id is None:
        return None
    return User.objects.filter(pk=event.actor_id).values_list("organisation_id", flat=True).first()


def _hazard_params(event: OutboxEvent) -> dict[str, Any]:
    hazard = _hazard(event)
    if hazard is None:
        return {"hazard_id": event.object_id, "site": "", "grade": event.data.get("grade", "")}
    return {"hazard_id": hazard.pk, "site": hazard.site.name, "grade": hazard.grade}


def _hazard_url(event: OutboxEvent) -> str:
    from django.urls import reverse

    return reverse("hazards:hazard-detail", kwargs={"pk": event.object_id})


def _grade_label(notice: Notice) -> str:
    from hazardledger.hazards.choices import HazardGrade

    grade = notice.params.get("grade", "")
    return str(HazardGrade(grade).label) if grade in HazardGrade.values else ""


def _enterprise_users(hazard: Any, roles: Iterable[str]) -> Iterable[User]:
    from hazardledger.accounts.models import User

    if hazard is None or hazard.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(
        organisation_id=hazard.organisation_id, role__in=list(roles), is_active=True
    )


def _users_for_action(event: OutboxEvent, status: str, actions: Iterable[str]) -> set[Any]:
    """The users who may take any of ``actions`` on the event's hazard from ``status``, with the
    permission the workflow table names for its grade (the hazard policy answers)."""
    from hazardledger.hazards.policies import HAZARD_POLICY
    from hazardledger.hazards.workflow.table import TRANSITIONS

    hazard = _hazard(event)
    if hazard is None:
        return set()
    users: set[Any] = set()
    for action in actions:
        transition = TRANSITIONS.get((status, action))
        permission = transition.permission.get(hazard.grade) if transition else None
        if permission:
            users |= set(HAZARD_POLICY.users_with_permission_for_instance(permission, hazard))
    return users


def _recorded_by_inspection_recipients(event: OutboxEvent) -> Iterable[User]:
    """The enterprise's safety officers and principals, when someone outside the enterprise (an
    inspector, a township) recorded the hazard at its site."""
    from hazardledger.accounts.choices import Role

    hazard = _hazard(event)
    if hazard is None or hazard.organisation_id is None:
        return []
    if _actor_organisation_id(event) == hazard.organisation_id:
        return []
    return _enterprise_users(hazard, [Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_PRINCIPAL])


def _plan_to_approve_recipients(event: OutboxEvent) -> Iterable[User]:
    """The enterprise's principals, when a plan is filed for a major hazard."""
    from hazardledger.accounts.choices import Role
    from hazardledger.hazards.choices import HazardGrade

    if event.data.get("grade") != HazardGrade.MAJOR:
        return []
    return _enterprise_users(_hazard(event), [Role.ENTERPRISE_PRINCIPAL])


def _awaiting_acceptance_recipients(event: OutboxEvent) -> Iterable[User]:
    """Who may accept a submitted hazard or confirm an on-the-spot fix."""
    from hazardledger.hazards.choices import HazardAction

    return _users_for_action(
        event, event.data.get("to_status", ""), [HazardAction.ACCEPT, HazardAction.CONFIRM]
    )


def _rejected_recipients(event: OutboxEvent) -> Iterable[User]:
    """The responsible party's users who must rectify again: who may plan, fix or submit
    from the status the rejection returned the hazard to."""
    from hazardledger.hazards.choices import HazardAction

    return _users_for_action(
        event,
        event.data.get("to_status", ""),
        [HazardAction.PLAN, HazardAction.FIX, HazardAction.SUBMIT],
    )


def _extension_requested_recipients(event: OutboxEvent) -> Iterable[User]:
    """Who may decide the extension (approve or refuse) for the hazard's grade."""
    from hazardledger.hazards.choices import HazardAction

    return _users_for_action(
        event,
        event.data.get("to_status", ""),
        [HazardAction.APPROVE_EXTENSION, HazardAction.REFUSE_EXTENSION],
    )


def _quick_report_recipients(event: OutboxEvent) -> Iterable[User]:
    """Who may triage the quick report (the quick-report policy's "triage")."""
    from hazardledger.hazards.models import QuickReport
    from hazardledger.hazards.policies import QUICK_REPORT_POLICY

    report = QuickReport.objects.filter(pk=event.object_id).first()
    if report is None:
        return []
    return QUICK_REPORT_POLICY.users_with_permission_for_instance("triage", report)


def _quick_report_params(event: OutboxEvent) -> dict[str, Any]:
    from hazardledger.hazards.models import QuickReport

    report = QuickReport.objects.select_related("site").filter(pk=event.object_id).first()
    return {"report_id": event.object_id, "site": report.site.name if report else ""}


def _quick_report_url(event: OutboxEvent) -> str:
    from django.urls import reverse

    return reverse("hazards:report-detail", kwargs={"pk": event.object_id})


def _render(message: Any) -> Callable[[Notice], str]:
    """A renderer that fills ``message`` (lazy) from the notice's params and grade label."""

    def render(notice: Notice) -> str:
        values = {"hazard_id": "", "report_id": "", "site": "", **notice.params}
        values["grade"] = _grade_label(notice)
        return str(message) % values

    return render


def builtin_kinds() -> list[NoticeKind]:
    """The kinds of the hazard workflow (what is told to whom: docs/notifications.md)."""
    from django.utils.translation import gettext_lazy as _

    return [
        NoticeKind(
            name="hazards.recorded_by_inspection",
            label=_("A hazard was recorded at your site by an inspection"),
            topics=("hazards.hazard.record",),
            recipients=_recorded_by_inspection_recipients,
            render=_render(_("%(grade)s #%(hazard_id)s was recorded at %(site)s.")),
            params=_hazard_params,
            url=_hazard_url,
        ),
        NoticeKind(
            name="hazards.plan_to_approve",
            label=_("A major hazard's rectification plan awaits your approval"),
            topics=("hazards.hazard.plan",),
            recipients=_plan_to_approve_recipients,
            render=_render(
                _(
                    "Review and approve the rectification plan of major hazard #%(hazard_id)s "
                    "at %(site)s."
                )
            ),
            params=_hazard_params,
            url=_hazard_url,
        ),
        NoticeKind(
            name="hazards.awaiting_acceptance",
            label=_("A hazard awaits acceptance"),
            topics=("hazards.hazard.submit", "hazards.hazard.fix"),
            recipients=_awaiting_acceptance_recipients,
            render=_render(_("%(grade)s #%(hazard_id)s at %(site)s awaits acceptance.")),
            params=_hazard_params,
            url=_hazard_url,
        ),
        NoticeKind(
            name="hazards.rejected",
            label=_("A rectification was rejected"),
            topics=("hazards.hazard.reject",),
            recipients=_rejected_recipients,
            render=_render(
                _(
                    "The rectification of hazard #%(hazard_id)s at %(site)s was rejected; "
                    "rectify it again."
                )
            ),
            params=_hazard_params,
            url=_hazard_url,
        ),
        NoticeKind(
            name="hazards.quick_report_to_triage",
            label=_("A quick report awaits triage"),
            topics=("hazards.quickreport.create",),
            recipients=_quick_report_recipients,
            render=_render(_("A quick report at %(site)s awaits triage.")),
            params=_quick_report_params,
            url=_quick_report_url,
        ),
        NoticeKind(
            name="hazards.extension_requested",
            label=_("A deadline extension awaits your decision"),
            topics=("hazards.hazard.request_extension",),
            recipients=_extension_requested_recipients,
            render=_render(
                _(
                    "An extension of the deadline of hazard #%(hazard_id)s at %(site)s "
                    "awaits your decision."
                )
            ),
            params=_hazard_params,
            url=_hazard_url,
        ),
    ]


def register_builtin_kinds() -> None:
    """Register the kinds of the hazard workflow (``NotificationsConfig.ready``)."""
    for notice_kind in builtin_kinds():
        register_kind(notice_kind)
