"""Views and API code never query scoped models directly: they go through ``access``.

A scoped model's manager may appear in a view module only as a generic view's ``queryset = …``
declaration (which ``ScopedQuerysetMixin`` / ``ScopedObjectMixin`` narrow before use) or inside
a ``restrict(…)`` / ``get_object_for_user(…)`` call on the same line. Any other ``Model.objects``
in views, serializers or API modules is a way around scope, and fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from hazardledger.access.policy import registered_policies

ROOT = Path(settings.BASE_DIR) / "hazardledger"
PATTERNS = ("*/views.py", "*/views/*.py", "*/api/*.py", "*/serializers.py", "*/api.py")


def _modules() -> list[Path]:
    found: set[Path] = set()
    for pattern in PATTERNS:
        found.update(ROOT.glob(pattern))
    return sorted(found)


def test_views_and_apis_do_not_query_scoped_models_directly():
    names = sorted(p.model._meta.object_name for p in registered_policies() if p.scope)
    direct = re.compile(rf"\b({'|'.join(names)})\.(objects|_default_manager)\b")
    offences = []
    for path in _modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            allowed = re.match(r"\s{4}queryset = ", line) or re.search(
                r"\b(restrict|get_object_for_user)\(", line
            )
            if direct.search(line) and not allowed:
                offences.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offences, "direct queries on scoped models:\n" + "\n".join(offences)


def test_the_check_finds_something_to_check():
    assert any(path.name == "views.py" for path in _modules())
