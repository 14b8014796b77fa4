"""Speech already made, kept across jobs and previews: the same sentence in the same voice is spoken once.

Responsibilities: store Speech under a key of (engine, voice, speed, normalised text); keep the folder
under a size in bytes by removing the least recently used entries; wrap any Engine (CachedEngine) so
callers such as narrate() need no change; it writes new speech on a background thread, off the
synthesis path. Safe to share between threads and processes: the files are written atomically and
an SQLite index (WAL) records sizes and last use.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from voxweave.chunkstore import load_speech, save_speech, speech_key
from voxweave.errors import OutputError
from voxweave.tts.base import Availability, Speech, Voice

log = logging.getLogger(__name__)

DEFAULT_MAX_MB = 1024
BYTES_PER_MB = 1024 * 1024
INDEX_NAME = "index.db"
BUSY_TIMEOUT_S = 10.0
#: Entries removed per eviction round while the cache is over its size.
EVICTION_BATCH = 64
#: Speech waiting to be written in the background; a caller waits when this many are pending.
WRITE_QUEUE = 8

_SCHEMA = """CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    last_used REAL NOT NULL
)"""


def normalise_text(text: str) -> str:
    """The text as the cache compares it: Unicode NFC, runs of whitespace as one space, no edges."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class SpeechCache:
    """A folder of speech files bounded to `max_bytes`, least recently used removed first."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._evicting = threading.Lock()
        self._inflight: dict[str, list] = {}  # key -> [lock, number of threads holding or waiting]
        self._inflight_guard = threading.Lock()
        self._pending: dict[str, Speech] = {}  # kept by keep(), not yet on disk
        self._pending_lock = threading.Lock()
        self._writes: queue.Queue[str] = queue.Queue(maxsize=WRITE_QUEUE)
        self._writer: threading.Thread | None = None
        with self._transaction() as db:
            db.execute(_SCHEMA)
            db.execute("CREATE INDEX IF NOT EXISTS entries_by_use ON entries (last_used)")

    @classmethod
    def from_settings(cls, settings: Any) -> SpeechCache | None:
        """The cache the settings ask for (`speech_cache_mb`, 0 for none), under settings.cache_dir/speech."""
        megabytes = float(getattr(settings, "speech_cache_mb", DEFAULT_MAX_MB))
        if megabytes <= 0:
            return None
        folder = getattr(settings, "cache_dir", Path(settings.data_dir) / "cache")
        return cls(Path(folder) / "speech", int(megabytes * BYTES_PER_MB))

    @staticmethod
    def key(engine: str, voice: str, speed: float, text: str) -> str:
        return speech_key(engine, voice, speed, normalise_text(text))

    # ------------------------------------------------------------------ index

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.folder / INDEX_NAME, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npz"

    # ------------------------------------------------------------------ use

    def get(self, key: str) -> Speech | None:
        """The speech stored under `key`, or None. A hit counts as a use (it moves to the back of the line)."""
        with self._pending_lock:
            pending = self._pending.get(key)
        if pending is not None:
            return pending
        db = self._db()
        if db.execute("SELECT 1 FROM entries WHERE key = ?", (key,)).fetchone() is None:
            return None
        speech = load_speech(self._path(key))
        if speech is None:  # removed by another process, or unreadable: forget it
            db.execute("DELETE FROM entries WHERE key = ?", (key,))
            return None
        db.execute("UPDATE entries SET last_used = ? WHERE key = ?", (time.time(), key))
        return speech

    def put(self, key: str, speech: Speech) -> None:
        """Store `speech` (atomically), then remove the least recently used entries beyond the size bound."""
        path = self._path(key)
        path.parent.mkdir(exist_ok=True)
        save_speech(path, speech)
        size = path.stat().st_size
        if size > self.max_bytes:
            path.unlink(missing_ok=True)
            return
        self._db().execute(
            "INSERT OR REPLACE INTO entries (key, size, last_used) VALUES (?, ?, ?)", (key, size, time.time())
        )
        if self.size_bytes > self.max_bytes:
            self._evict()

    def keep(self, key: str, speech: Speech) -> None:
        """put() in the background, off the synthesis path; get() sees the speech at once."""
        with self._pending_lock:
            self._pending[key] = speech
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="voxweave-speech-cache", daemon=True)
                self._writer.start()
        self._writes.put(key)  # waits while WRITE_QUEUE writes are pending: memory stays bounded

    def _write_loop(self) -> None:
        while True:
            key = self._writes.get()
            try:
                with self._pending_lock:
                    speech = self._pending.get(key)
                if speech is not None:
                    self.put(key, speech)
            except (OutputError, OSError, sqlite3.Error) as e:  # a full cache disk must not fail the narration
                log.warning("speech cache: cannot keep a chunk (%s); going on without it", e)
            finally:
                with self._pending_lock:
                    self._pending.pop(key, None)
                self._writes.task_done()

    def flush(self) -> None:
        """Wait until everything given to keep() is on disk (or given up)."""
        self._writes.join()

    def _evict(self) -> None:
        with self._evicting, self._transaction() as db:
            total = db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0]
            while total > self.max_bytes:
                oldest = db.execute(
                    "SELECT key, size FROM entries ORDER BY last_used, rowid LIMIT ?", (EVICTION_BATCH,)
                ).fetchall()
                for key, size in oldest:
                    if total <= self.max_bytes:
                        break
                    self._path(key).unlink(missing_ok=True)
                    db.execute("DELETE FROM entries WHERE key = ?", (key,))
                    total -= size

    @property
    def size_bytes(self) -> int:
        return int(self._db().execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0])

    def __len__(self) -> int:
        return int(self._db().execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def clear(self) -> None:
        with self._evicting, self._transaction() as db:
            for (key,) in db.execute("SELECT key FROM entries").fetchall():
                self._path(key).unlink(missing_ok=True)
            db.execute("DELETE FROM entries")

    @contextmanager
    def making(self, key: str) -> Iterator[None]:
        """Hold while making the speech for `key`, so two threads asking at once synthesise it once."""
        with self._inflight_guard:
            entry = self._inflight.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._inflight_guard:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._inflight[key]


class CachedEngine:
    """An Engine that looks in a SpeechCache before asking the engine it wraps, and keeps what it made."""

    def __init__(self, engine: Any, cache: SpeechCache) -> None:
        self.engine = engine
        self.cache = cache

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def max_chars(self) -> int:
        return self.engine.max_chars

    @property
    def sample_rate(self) -> int:
        return self.engine.sample_rate

    def available(self) -> Availability:
        return self.engine.available()

    def voices(self) -> list[Voice]:
        return self.engine.voices()

    def default_voice(self) -> str:
        return self.engine.default_voice()

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        key = self.cache.key(self.engine.name, voice, speed, text)
        speech = self.cache.get(key)
        if speech is not None:
            return speech
        with self.cache.making(key):
            speech = self.cache.get(key)  # another thread may have made it while this one waited
            if speech is not None:
                return speech
            speech = self.engine.synthesize(text, voice, speed)
            self.cache.keep(key, speech)
        return speech

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "engine":
            raise AttributeError(attribute)
        # Anything else an engine offers (device, load(), ...) is the wrapped engine's.
        return getattr(self.engine, attribute)
