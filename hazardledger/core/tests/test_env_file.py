"""Operating it as documented: manage.py works in a checkout set up by ``make demo`` (its
development .env), nothing else reads that file, and the documented WSGI server is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(settings.BASE_DIR)
PYTHON = sys.executable
# Variables that would decide the outcome on their own; each run sets what it needs.
CLEARED = {
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def _checkout(tmp_path: Path, dotenv: str | None) -> Path:
    """A copy of manage.py in a folder of its own (beside it, the .env it should read)."""
    shutil.copy(REPO / "manage.py", tmp_path / "manage.py")
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    return tmp_path / "manage.py"


def _run(args: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        args, cwd=cwd, env=_env(**extra), capture_output=True, text=True, timeout=120
    )


def _debug_of(manage: Path, **extra: str) -> str:
    shell = ["shell", "-v", "0", "-c", "from django.conf import settings; print(settings.DEBUG)"]
    result = _run([PYTHON, str(manage), *shell], manage.parent, **extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_manage_py_reads_the_secret_key_from_a_development_env_file(tmp_path):
    manage = _checkout(tmp_path, "SECRET_KEY=from-the-dotenv-file-0123456789\n")
    result = _run([PYTHON, str(manage), "check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_manage_py_without_env_file_or_secret_key_fails_with_a_clear_message(tmp_path):
    manage = _checkout(tmp_path, None)
    result = _run([PYTHON, str(manage), "check"], tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_env_file_that_make_demo_writes_turns_debug_on(tmp_path):
    manage = _checkout(tmp_path, "# written by make demo\nDEBUG=1\nSECRET_KEY=abc123\n")
    assert _debug_of(manage) == "True"


def test_the_real_environment_wins_over_the_env_file(tmp_path):
    manage = _checkout(tmp_path, "DEBUG=1\nSECRET_KEY=abc123\n")
    assert _debug_of(manage, DEBUG="0") == "False"


def test_settings_alone_never_read_an_env_file(tmp_path):
    """What pytest and the WSGI server load: a .env in the working folder changes nothing."""
    (tmp_path / ".env").write_text("DEBUG=1\nSECRET_KEY=abc123\n", encoding="utf-8")
    code = "import config.settings as s; print(s.DEBUG)"
    result = _run([PYTHON, "-c", code], tmp_path, SECRET_KEY="from-the-environment")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert settings.DEBUG is False  # this very test run


@pytest.mark.parametrize("header", ["X-Forwarded-Proto", "HTTP_X_FORWARDED_PROTO"])
def test_tls_settings_come_from_the_environment(tmp_path, header):
    code = (
        "import config.settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    )
    result = _run(
        [PYTHON, "-c", code],
        tmp_path,
        SECRET_KEY="k",
        SECURE_PROXY_SSL_HEADER=header,
        SECURE_HSTS_SECONDS="31536000",
        SESSION_COOKIE_SECURE="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "31536000", "True"]


def test_without_tls_settings_nothing_trusts_a_proxy_header(tmp_path):
    code = (
        "import config.settings as s; "
        "print(hasattr(s, 'SECURE_PROXY_SSL_HEADER'), s.SECURE_HSTS_SECONDS)"
    )
    result = _run([PYTHON, "-c", code], tmp_path, SECRET_KEY="k")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0"]


def test_the_documented_wsgi_server_loads_the_app():
    gunicorn = Path(PYTHON).with_name("gunicorn")
    assert gunicorn.exists(), "docs/operations.md serves with .venv/bin/gunicorn"
    result = _run(
        [str(gunicorn), "--check-config", "config.wsgi"], REPO, SECRET_KEY="wsgi-check-key"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", ["createsuperuser --help", "verify_history --help"])
def test_newcomers_commands_run_after_make_demo(tmp_path, command):
    manage = _checkout(tmp_path, "DEBUG=1\nSECRET_KEY=abc123\n")
    result = _run([PYTHON, str(manage), *command.split()], tmp_path)
    assert result.returncode == 0, result.stderr
