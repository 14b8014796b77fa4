"""A small SQLite file used a moment at a time: one short connection per piece of work, under a lock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds a connection waits for another process's write lock before SQLite gives up.
BUSY_TIMEOUT_S = 10


class SqliteFile:
    """One database file: its folder and schema made on first use, then short connections one at a time.

    Each `connect()` opens the file, commits when the block ends (rolls back when it raises) and closes it,
    so the file is safe to share between threads of one process and with other processes.
    """

    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self.connect() as db:
            db.execute(schema)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            try:
                with db:
                    yield db
            finally:
                db.close()
