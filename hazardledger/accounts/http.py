"""The request type of views that require sign-in."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that passed ``login_required`` (or ``LoginRequiredMixin``): ``user`` is a
    signed-in ``User``, never ``AnonymousUser``. For annotations only; Django builds the
    request."""

    user: User
