"""A web process loads its views and freezes what it holds before serving (core/startup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import gc, json, sys
import config.{module}
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "views_loaded": "hazardledger.reporting.views" in sys.modules,
}}))
"""


@pytest.mark.parametrize("module", ["wsgi", "asgi"])
def test_the_entry_points_freeze_the_loaded_process(module):
    done = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    # Django, the apps and every view: tens of thousands of objects out of the full passes.
    assert state["views_loaded"] is True
    assert state["frozen"] > 50_000
