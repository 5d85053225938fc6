"""A periodic job for the scheduler tests: registered only by the tests that use it."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def probe() -> str:
    """Do nothing but say when it ran (the task result keeps the return value)."""
    return timezone.now().isoformat()
