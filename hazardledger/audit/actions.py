"""The registry of audit actions: namespaced strings such as ``hazards.hazard.record``.

Apps register their actions at import time (usually from their ``AppConfig.ready``), so that a
typo in an action name fails loudly instead of writing an entry nobody can search for
(after Wagtail's ``LogActionRegistry``).
"""

from __future__ import annotations

import re

from django.utils.functional import Promise

ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")

_ACTIONS: dict[str, str | Promise] = {}


def register_action(name: str, label: str | Promise) -> str:
    """Register ``name`` (``<app>.<entity>.<verb>``) with a translatable label; returns ``name``.

    Registering the same name twice is allowed (app reloads) and keeps the newest label.
    Raises ``ValueError`` for a name that is not namespaced.
    """
    if not ACTION_PATTERN.match(name):
        raise ValueError(f"Audit action {name!r} must look like 'app.entity.verb'")
    _ACTIONS[name] = label
    return name


def is_registered(name: str) -> bool:
    return name in _ACTIONS


def action_label(name: str) -> str | Promise:
    """The label of a registered action, or the raw name when it is unknown."""
    return _ACTIONS.get(name, name)
