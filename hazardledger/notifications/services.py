"""Writes of notifications: notices from outbox events, their deliveries, read marks and
preferences.

``notices_from_event`` is the outbox handler (``notifications.notices``). For each registered
kind listening to the event's topic it asks the kind who should hear of it, keeps only those who
may view the object (the object's permission policy) and are not the event's actor, and creates
one notice per user and one delivery per outbound channel the user's preference (or the kind's
default) names. Unique constraints make it idempotent: a rerun creates nothing new.

``delivery_attempt`` sends one delivery at most once (claimed with a conditional update);
``deliveries_sweep`` sends due deliveries and gives up on interrupted ones; ``digests_send``
sends each user's held email deliveries as one message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hazardledger.access.policy import policy_for
from hazardledger.core.errors import Invalid, NotFound
from hazardledger.core.models import OutboxEvent
from hazardledger.core.outbox import retry_delay

from .channels import Undeliverable, absolute_url, channel_for
from .choices import ChannelName, DeliveryStatus
from .constants import INTERRUPTED, MAX_ATTEMPTS, STALE_SENDING, SWEEP_BATCH
from .kinds import NoticeKind, kind_or_none, kinds_for_topic
from .models import Delivery, Notice, Preference

logger = logging.getLogger(__name__)


# --- notices from events ----------------------------------------------------------------------


def _object_of(event: OutboxEvent) -> Any:
    """The event's object as it is now, or None (deleted, or a model no app knows)."""
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=event.object_id).first()


def _audience(kind: NoticeKind, event: OutboxEvent, obj: Any) -> list[Any]:
    """The kind's recipients who may view ``obj``, without the event's actor, by id."""
    wanted = {user.pk for user in kind.recipients(event)} - {event.actor_id}
    if not wanted:
        return []
    viewers = policy_for(event.object_type).users_with_permission_for_instance("view", obj)
    return list(viewers.filter(pk__in=wanted).order_by("pk"))


def _local_day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _emails_today(user_id: Any, now: datetime) -> int:
    """How many email deliveries the user was given today (local date), whatever their state."""
    return Delivery.objects.filter(
        notice__user_id=user_id,
        channel=ChannelName.EMAIL,
        created_at__gte=_local_day_start(now),
    ).count()


def _channels_for(user_id: Any, kind: NoticeKind) -> tuple[str, ...]:
    chosen = (
        Preference.objects.filter(user_id=user_id, kind=kind.name)
        .values_list("channels", flat=True)
        .first()
    )
    return tuple(chosen) if chosen is not None else kind.default_channels


def notices_from_event(event: OutboxEvent) -> None:
    """Tell the users each listening kind names of ``event`` (the outbox handler).

    Steps, per kind: load the object (skipped when gone); the kind's recipients, intersected with
    the object's viewers, minus the actor; create their notices (``ignore_conflicts`` on the
    (event, user, kind) key); for notices that have no deliveries yet, one delivery per chosen
    channel: email deliveries beyond the daily limit are ``held`` for the digest; then the
    pending deliveries are enqueued when the transaction commits.
    """
    listening = kinds_for_topic(event.topic)
    obj = _object_of(event) if listening else None
    if obj is None:
        return
    now = timezone.now()
    created: list[int] = []
    for kind in listening:
        audience = _audience(kind, event, obj)
        if not audience:
            continue
        params = kind.params(event)
        url = kind.url(event)
        Notice.objects.bulk_create(
            [
                Notice(
                    user=user,
                    kind=kind.name,
                    event=event,
                    object_type=event.object_type,
                    object_id=event.object_id,
                    region_code=event.region_code,
                    params=params,
                    url=url,
                    created_at=event.created_at,
                )
                for user in audience
            ],
            ignore_conflicts=True,
        )
        fresh = Notice.objects.filter(event=event, kind=kind.name, deliveries__isnull=True)
        for notice in fresh:
            created += _deliveries_create(notice=notice, kind=kind, now=now)
    if created:
        transaction.on_commit(lambda: _enqueue(created))


def _deliveries_create(*, notice: Notice, kind: NoticeKind, now: datetime) -> list[int]:
    """Create the notice's deliveries; return the ids of those to send now."""
    limit = settings.NOTIFICATION_DAILY_EMAIL_LIMIT
    rows = []
    for channel in _channels_for(notice.user_id, kind):
        status = DeliveryStatus.PENDING
        if channel == ChannelName.EMAIL and _emails_today(notice.user_id, now) >= limit:
            status = DeliveryStatus.HELD
        rows.append(Delivery(notice=notice, channel=channel, status=status, created_at=now))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(notice=notice, status=DeliveryStatus.PENDING).values_list(
            "pk", flat=True
        )
    )


def _enqueue(delivery_ids: Iterable[int]) -> None:
    from .tasks import delivery_send

    for delivery_id in delivery_ids:
        try:
            delivery_send.enqueue(delivery_id)
        except Exception:  # the deliveries are saved; the sweep sends them
            logger.exception("could not enqueue delivery %s; the sweep will send it", delivery_id)
            return


# --- sending ----------------------------------------------------------------------------------


def _subject(text: str) -> str:
    return _("Hazard Ledger: %(text)s") % {"text": text[:80]}


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one delivery if it is due; True when it was sent now.

    Steps: claim it with a conditional update (pending and due → sending, with ``claimed_at``);
    if no row changed, another worker has it or it is done: return False. Send it on its
    channel in the site's language. On success mark it sent. ``Undeliverable`` (no address)
    fails it at once with the reason; any other error counts the attempt and sets the next
    one after a growing delay (1, 2, 4 … minutes, at most 6 hours), or fails it after
    ``MAX_ATTEMPTS``. A crash between claim and mark leaves it "sending" for the sweep, which
    never sends it again.
    """
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.SENDING, claimed_at=now)
    )
    if claimed != 1:
        return False
    delivery = Delivery.objects.select_related("notice__user").get(pk=delivery_id)
    notice = delivery.notice
    try:
        with translation.override(settings.LANGUAGE_CODE):
            text = notice.text
            channel_for(delivery.channel).send(
                user=notice.user,
                subject=_subject(text),
                text=text,
                url=notice.url,
                dedupe_key=delivery.dedupe_key,
            )
    except Undeliverable as exc:
        _mark(delivery_id, status=DeliveryStatus.FAILED, last_error=str(exc))
        return False
    except Exception as exc:
        logger.warning("delivery %s on %s failed: %s", delivery_id, delivery.channel, exc)
        _retry_or_fail(delivery, error=f"{type(exc).__name__}: {exc}", now=now)
        return False
    _mark(delivery_id, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


def _mark(delivery_id: int, **fields: Any) -> None:
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(**fields)


def _retry_or_fail(delivery: Delivery, *, error: str, now: datetime) -> None:
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _mark(delivery.pk, status=DeliveryStatus.FAILED, attempts=attempts, last_error=error)
        return
    _mark(
        delivery.pk,
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        last_error=error,
        next_attempt_at=now + retry_delay(attempts),
    )


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Fail interrupted deliveries and send the due ones; return how many were sent.

    A delivery still "sending" ``STALE_SENDING`` after its claim was interrupted mid-send: it
    may have gone out, so it is marked failed (``INTERRUPTED``) and never sent again.
    """
    now = now or timezone.now()
    Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(status=DeliveryStatus.FAILED, last_error=INTERRUPTED)
    due = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(delivery_attempt(delivery_id=pk, now=now) for pk in list(due))


def digests_send(*, now: datetime | None = None) -> int:
    """Send each user's held email deliveries as one message; return how many were sent.

    Per user: claim the held deliveries with a conditional update (held → sending, with the
    digest key "<user id>-<local date>"), send one email listing them, then mark them digested.
    A rerun finds nothing held and sends nothing; a crash mid-send leaves them "sending" for
    the sweep, which fails them instead of sending again. A failed send puts them back on hold
    for the next digest, counting the attempt.
    """
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    sent = 0
    user_ids = (
        Delivery.objects.filter(channel=ChannelName.EMAIL, status=DeliveryStatus.HELD)
        .values_list("notice__user_id", flat=True)
        .distinct()
        .order_by("notice__user_id")
    )
    for user_id in list(user_ids):
        key = f"{user_id}-{day}"
        claimed = Delivery.objects.filter(
            channel=ChannelName.EMAIL, status=DeliveryStatus.HELD, notice__user_id=user_id
        ).update(status=DeliveryStatus.SENDING, claimed_at=now, digest_key=key)
        if not claimed:
            continue
        sent += _digest_send(user_id=user_id, key=key)
    return sent


def _digest_send(*, user_id: Any, key: str) -> bool:
    rows = list(
        Delivery.objects.filter(digest_key=key, status=DeliveryStatus.SENDING)
        .select_related("notice__user")
        .order_by("notice__created_at", "pk")
    )
    if not rows:
        return False
    user = rows[0].notice.user
    ids = [row.pk for row in rows]
    try:
        with translation.override(settings.LANGUAGE_CODE):
            lines = [
                f"- {row.notice.text}\n  {absolute_url(row.notice.url)}".rstrip() for row in rows
            ]
            count = len(rows)
            subject = ngettext(
                "Hazard Ledger: %(count)d notice today",
                "Hazard Ledger: %(count)d notices today",
                count,
            ) % {"count": count}
            channel_for(ChannelName.EMAIL).send(
                user=user,
                subject=subject,
                text="\n".join(lines),
                url="",
                dedupe_key=f"hl-digest-{key}",
            )
    except Undeliverable as exc:
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED, last_error=str(exc)
        )
        return False
    except Exception as exc:
        logger.warning("digest %s failed: %s", key, exc)
        for row in rows:
            Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.HELD,
                digest_key="",
                attempts=row.attempts + 1,
                last_error=f"{type(exc).__name__}: {exc}",
            )
        return False
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.DIGESTED, sent_at=timezone.now(), last_error=""
    )
    return True


# --- read marks and preferences ---------------------------------------------------------------


def notice_mark_read(*, user: Any, notice_id: Any) -> Notice:
    """Mark one of the user's notices read (again: unchanged) and return it; ``NotFound`` for
    another user's notice or none, so whether it exists is not revealed."""
    notice = (
        Notice.objects.filter(pk=notice_id, user=user).first() if str(notice_id).isdigit() else None
    )
    if notice is None:
        raise NotFound
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_mark_all_read(*, user: Any) -> int:
    """Mark all the user's unread notices read; return how many."""
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, user: Any, kind: str, channels: Iterable[str]) -> Preference:
    """Choose the outbound channels of one kind of notice for ``user`` (in-app is always on).

    Raises ``Invalid`` for a kind that is not registered or a channel that is not one of
    email and SMS.
    """
    if kind_or_none(str(kind)) is None:
        raise Invalid({"kind": [_("Unknown kind of notice.")]})
    chosen = list(dict.fromkeys(str(channel) for channel in channels))
    if any(channel not in ChannelName.values for channel in chosen):
        raise Invalid({"channels": [_("Unknown channel.")]})
    preference, _created = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"channels": chosen}
    )
    return preference
