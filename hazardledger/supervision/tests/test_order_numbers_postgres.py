"""Two inspectors of one bureau take order numbers at the same moment (PostgreSQL: real row
locks between connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from hazardledger.supervision.models import OrderSequence
from hazardledger.supervision.services.orders import order_next_serial


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_get_the_same_number(orgs):
    """Eight threads, each in its own connection and transaction, take a number at once (the
    sequence row does not exist yet, so they also race to create it): all numbers differ."""
    barrier = threading.Barrier(8)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                numbers.append(order_next_serial(organisation=orgs.gz_em, year=2026))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(numbers) == list(range(1, 9))
    assert OrderSequence.objects.get(organisation=orgs.gz_em, year=2026).last_serial == 8
