"""Fixed limits of the spreadsheet reader (the row, column, cell and size limits are settings)."""

from __future__ import annotations

# A zip archive (xlsx, ods) with more members, or a central directory larger than this, is not
# a spreadsheet anybody saved: refused before Python's zipfile lists it.
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_DIRECTORY_BYTES = 4 * 1024 * 1024
# A member that unpacks to more than ZIP_RATIO_FLOOR bytes may not be compressed more than
# ZIP_MAX_RATIO times (Apache POI's rule of thumb for zip bombs; real sheets compress 5-30x).
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024

# The child process that runs python-calamine (calamine_worker.py): its address space and CPU
# time. A sheet within the row/column/cell limits needs well under a gigabyte.
READER_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
READER_SECONDS = 120

# Bytes read at a time from a zip member while scanning it.
CHUNK_BYTES = 1024 * 1024
