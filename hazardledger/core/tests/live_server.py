"""One user of the database at a time for the browser tests' live server on SQLite.

On a test run's in-memory SQLite database the live server's request threads and the test itself
share one connection (an in-memory database exists only inside its connection). Python's
``sqlite3`` can then deadlock the whole test process for good: one thread steps a statement,
holding SQLite's lock on the connection, and calls one of Django's Python functions (date
truncation, say), which needs the GIL; another thread holds the GIL while it binds parameters or
reads a row, which needs SQLite's lock. Every Python thread then stops, test-timeout watchdogs
included: a page whose HTMX parts load side by side (the bell, the charts) stalled CI that way
until it gave up.

``serialised`` prevents it with one reentrant lock: a request holds it from its start until its
response is closed (streamed bodies included), and every cursor operation on the shared
connection takes it (so the test's own queries wait for a request in flight, and the other way
round). The cursor lock alone would stop the freeze; the request lock also keeps two requests'
transactions from interleaving on the one connection, whose atomic-block state Django keeps
per connection, not per thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db.backends.sqlite3.base import SQLiteCursorWrapper

LOCK = threading.RLock()


class OneRequestAtATime:
    """WSGI middleware: one request at a time, until its response is closed."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        LOCK.acquire()
        try:
            result = self.app(environ, start_response)
        except BaseException:
            LOCK.release()
            raise
        return ReleasedOnClose(result)


class ReleasedOnClose:
    """A response body that lets the next user in once the server has closed it (the server
    closes it on the thread that opened it, as the reentrant lock requires)."""

    def __init__(self, result: Any) -> None:
        self.result = result

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            LOCK.release()


def _locked(name: str) -> Callable[..., Any]:
    method = getattr(SQLiteCursorWrapper, name)

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return method(self, *args, **kwargs)

    locked.__name__ = name
    return locked


class LockedCursor(SQLiteCursorWrapper):
    """Django's SQLite cursor, each call into SQLite under ``LOCK``."""

    execute = _locked("execute")
    executemany = _locked("executemany")
    executescript = _locked("executescript")
    fetchone = _locked("fetchone")
    fetchmany = _locked("fetchmany")
    fetchall = _locked("fetchall")
    __next__ = _locked("__next__")


def serialised(thread: Any) -> Callable[[], None]:
    """Make a ``LiveServerThread`` that shares in-memory SQLite connections serve one user at
    a time (before it starts). Returns the function that undoes it for the connections."""
    connections = list(thread.connections_override.values())
    if not connections:
        return lambda: None
    static_handler = thread.static_handler
    thread.static_handler = lambda app: OneRequestAtATime(static_handler(app))
    for connection in connections:
        connection.create_cursor = lambda name=None, c=connection: c.connection.cursor(
            factory=LockedCursor
        )

    def undo() -> None:
        for connection in connections:
            del connection.create_cursor

    return undo
