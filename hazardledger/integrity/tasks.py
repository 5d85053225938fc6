"""Background tasks of the integrity app (run by the database worker); they call the services."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from hazardledger.audit.chain import audit_seal

from .keys import signing_key
from .services import checkpoint_create

logger = logging.getLogger(__name__)


@task()
def checkpoint_task() -> int:
    """Periodic (``INTEGRITY_CHECKPOINT_CRON``, hourly by default): take a signed checkpoint
    when anything changed. Without a signing key only the audit trail is sealed into its chain,
    and a warning says that no checkpoint was taken. Returns the checkpoint's number (0: none).
    """
    if signing_key() is None:
        with transaction.atomic(durable=True):
            audit_seal()
        logger.warning("No INTEGRITY_SIGNING_KEY: the audit trail was sealed, no checkpoint taken")
        return 0
    with transaction.atomic(durable=True):
        taken = checkpoint_create(actor=None)
    return taken.checkpoint.number
