"""Pytest plugin loaded before Django starts (``-p config.testenv`` in pyproject.toml).

Tests run with DEBUG off, as production does, so they need a SECRET_KEY; this gives them one
unless the environment already has it. It is never used outside the test run.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-deployment")
# Tasks (outbox handlers) run as they are enqueued, so a test sees their effects after commit
# without a worker; tests of the worker itself switch to the database backend.
os.environ.setdefault("TASKS_BACKEND", "immediate")
# Test clients need no static files (see WHITENOISE_USE_FINDERS in config/settings.py).
os.environ.setdefault("WHITENOISE_USE_FINDERS", "0")
