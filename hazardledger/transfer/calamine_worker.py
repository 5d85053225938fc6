"""Run python-calamine on one untrusted workbook, in a child process with limits.

``spreadsheets.read_sheet`` starts it as ``python -I calamine_worker.py PATH ROWS COLUMNS CELLS
MEMORY SECONDS``; the parent writes the file and removes it, whatever becomes of the child.
It writes one pickle to standard output:
``("rows", rows)`` with the first sheet's rows from A1, or ``("refused", reason, rows, columns)``
where reason is ``"size"`` (past the row, column or cell limit), ``"no_sheets"`` or
``"unreadable"``.

It imports nothing from the project, so it starts in a few milliseconds under its own
address-space and CPU limits: when calamine cannot allocate a sheet it aborts the process, and
this process is the one that ends. The file's extension (xlsx, ods or xls, decided by the parent
from the content) makes calamine use that reader only instead of trying each format in turn.
"""

from __future__ import annotations

import pickle
import resource
import sys
from typing import Any


def _answer(answer: tuple[Any, ...]) -> int:
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


def main(argv: list[str]) -> int:
    path = argv[1]
    max_rows, max_columns, max_cells, memory, seconds = (int(value) for value in argv[2:7])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        if not workbook.sheet_names:
            return _answer(("refused", "no_sheets", 0, 0))
        sheet = workbook.get_sheet_by_index(0)
    except (python_calamine.CalamineError, ValueError, OSError):
        return _answer(("refused", "unreadable", 0, 0))
    except BaseException as exc:
        # A Rust panic reaches Python as pyo3's PanicException, a BaseException.
        if type(exc).__name__ == "PanicException":
            return _answer(("refused", "unreadable", 0, 0))
        raise
    end = sheet.end
    rows, columns = (end[0] + 1, end[1] + 1) if end else (0, 0)
    if rows > max_rows or columns > max_columns or rows * columns > max_cells:
        return _answer(("refused", "size", rows, columns))
    return _answer(("rows", sheet.to_python(skip_empty_area=False)))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
