"""Run the demo as one unit: the web server, the task worker and the periodic-job scheduler.

``make demo`` ends with ``python scripts/serve_demo.py HOST:PORT``. It starts

- ``manage.py db_worker``: runs background tasks (outbox handlers, periodic jobs);
- ``manage.py run_scheduler``: enqueues the periodic jobs on their schedules;
- ``manage.py runserver HOST:PORT``: the web server;

and stops all three when any of them exits (the web server stopping, a worker that cannot
start) or when it is told to stop: Ctrl+C, SIGTERM or SIGHUP (the terminal closing).

Each child runs in its own session, so Ctrl+C in the terminal reaches only this supervisor,
which then sends each child one SIGTERM: the worker finishes its current task, the scheduler
gives up its lease, runserver stops its reloader's child. A child still running after
``GRACE_SECONDS`` is killed with its whole process group. On Linux each child also gets
SIGTERM if this supervisor dies without cleaning up (``PR_SET_PDEATHSIG``), so nothing is left
running in the background.

The SQLite demo database takes the three processes: it runs in WAL mode with immediate
transactions and a busy timeout (config/settings.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1


class Stop(Exception):
    """A signal asked the supervisor to stop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def commands(address: str) -> list[tuple[str, list[str]]]:
    """The demo's processes, by name: the worker and the scheduler first, so that the web
    server's first request finds them running."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    return [
        ("worker", [*manage, "db_worker"]),
        ("scheduler", [*manage, "run_scheduler"]),
        ("web", [*manage, "runserver", address]),
    ]


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks Linux to send the child SIGTERM when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the supervisor died between fork and prctl
            os._exit(1)

    return preexec


def start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own manage.py commands
        command, cwd=ROOT, start_new_session=True, preexec_fn=_die_with_parent()
    )


def stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM every child still running, wait up to ``GRACE_SECONDS``, then kill the process
    groups of those left (runserver's reloader child included)."""
    for child in children.values():
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in {GRACE_SECONDS:g} s: killing it", file=sys.stderr)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    # Whatever a child left in its group (it exited first) goes too.
    for child in children.values():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signum)


def main(argv: list[str]) -> int:
    address = argv[1] if len(argv) > 1 else "127.0.0.1:8000"
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands(address):
            children[name] = start(command)
        while True:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    print(f"{name} exited ({code}): stopping the others", file=sys.stderr)
                    # A child killed by a signal reports -N; a shell would say 128 + N.
                    return code if code > 0 else 128 - code if code < 0 else 1
            time.sleep(POLL_SECONDS)
    except Stop as stop:
        print(f"{stop}: stopping the web server, the worker and the scheduler", file=sys.stderr)
        return 0
    finally:
        # Ignore further Ctrl+C while cleaning up, so that a second one cannot leave orphans.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        stop_all(children)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
