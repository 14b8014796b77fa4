"""The job table in SQLite: what each user's jobs are, and where each running job has got to.

Responsibilities: open the database (WAL, busy timeout, one connection per thread) and migrate its
schema in order; give users their own rows only (another owner's job reads as missing); let workers
claim queued jobs atomically, report progress, heartbeat and finish; recover jobs of dead workers.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any
from uuid import uuid4

from voxweave.jobs.errors import JobNotFound, JobStateError, JobStoreError
from voxweave.jobs.models import CANCELLABLE, Job, Output

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT_S = 10.0
DB_FILENAME = "voxweave.db"
#: A job reports progress below this until the runner marks it done (which alone sets 1.0).
MAX_RUNNING_PROGRESS = 0.999

#: Ordered schema steps; step n takes a database from user_version n to n + 1. Append, never edit:
#: a step that ships is history. Steps only add (tables, columns, indexes); no step drops data.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: jobs with their owner, parameters, status and progress.
    (
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            kind TEXT NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL,
            stage TEXT NOT NULL DEFAULT '',
            progress REAL NOT NULL DEFAULT 0,
            error TEXT,
            outputs TEXT NOT NULL DEFAULT '[]',
            created REAL NOT NULL,
            updated REAL NOT NULL
        )""",
        "CREATE INDEX jobs_by_owner ON jobs (owner, created)",
    ),
    # 2: workers claim jobs, heartbeat, can be asked to cancel; jobs get an ETA and run times.
    (
        "ALTER TABLE jobs ADD COLUMN eta_seconds REAL",
        "ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN started REAL",
        "ALTER TABLE jobs ADD COLUMN finished REAL",
        "ALTER TABLE jobs ADD COLUMN heartbeat REAL",
        "ALTER TABLE jobs ADD COLUMN worker TEXT",
        "ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX jobs_queue ON jobs (status, kind, created)",
    ),
    # 3: a note for the user about how a job went (a fallback taken, subtitles not burned).
    (
        "ALTER TABLE jobs ADD COLUMN note TEXT",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = (
    "id, owner, kind, params, status, stage, progress, eta_seconds, error, cancel_requested, created, "
    "started, updated, finished, heartbeat, worker, attempts, crashes, outputs, note"
)


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        owner=row["owner"],
        kind=row["kind"],
        params=MappingProxyType(json.loads(row["params"] or "{}")),
        status=row["status"],
        stage=row["stage"] or "",
        progress=float(row["progress"] or 0.0),
        eta_seconds=row["eta_seconds"],
        error=row["error"],
        cancel_requested=bool(row["cancel_requested"]),
        created=row["created"],
        started=row["started"],
        updated=row["updated"],
        finished=row["finished"],
        heartbeat=row["heartbeat"],
        worker=row["worker"],
        attempts=row["attempts"],
        crashes=row["crashes"],
        outputs=tuple(Output(o["role"], o["path"]) for o in json.loads(row["outputs"] or "[]")),
        note=row["note"],
    )


def _marks(values: Collection[Any]) -> str:
    return ", ".join("?" * len(values))


class JobStore:
    """The job table. User-facing methods take the owner; worker-facing ones take the claimed Job."""

    def __init__(self, path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise JobStoreError(f"cannot create the folder of the job database {self.path}: {e.strerror or e}") from e
        self._migrate()

    # ------------------------------------------------------------------ connections and schema

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                     check_same_thread=False)
                db.row_factory = sqlite3.Row
                db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as e:
                raise JobStoreError(f"cannot open the job database {self.path}: {e}") from e
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    def _write(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db().execute(sql, args)

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._db().execute(sql, args).fetchall()

    def _migrate(self) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see the new version
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise JobStoreError(
                    f"the job database {self.path} has schema version {version}, newer than this VoxWeave "
                    f"knows ({SCHEMA_VERSION}): upgrade VoxWeave"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
                log.info("job database %s migrated to schema version %d", self.path, number + 1)
            db.execute("COMMIT")
        except BaseException as e:
            db.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise JobStoreError(f"cannot migrate the job database {self.path}: {e}") from e
            raise

    @property
    def schema_version(self) -> int:
        return self._db().execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        """Close every connection this store opened (from any thread)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for db in connections:
            db.close()
        self._local = threading.local()

    # ------------------------------------------------------------------ what users see and do

    def create(self, owner: str, kind: str, params: Mapping[str, Any], *, job_id: str | None = None) -> Job:
        """Queue a new job (its input must already be in its folder: a queued row is claimable at once)."""
        job_id = job_id or uuid4().hex
        now = time.time()
        self._write(
            "INSERT INTO jobs (id, owner, kind, params, status, created, updated) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
            (job_id, owner, kind, json.dumps(dict(params), sort_keys=True), now, now),
        )
        return self.get(owner, job_id)

    def get(self, owner: str, job_id: str) -> Job:
        rows = self._read(f"SELECT {_COLUMNS} FROM jobs WHERE id = ? AND owner = ?", (job_id, owner))
        if not rows:
            raise JobNotFound(job_id)
        return _job(rows[0])

    def list(self, owner: str, *, statuses: Iterable[str] | None = None, limit: int | None = None) -> list[Job]:
        """The owner's jobs, newest first."""
        return self._select("owner = ?", [owner], statuses, limit)

    def admin_list(self, *, statuses: Iterable[str] | None = None, limit: int | None = None) -> list[Job]:
        """Every owner's jobs, newest first: for administrators only (the caller checks the role)."""
        return self._select("1 = 1", [], statuses, limit)

    def _select(self, where: str, args: list[Any], statuses: Iterable[str] | None, limit: int | None) -> list[Job]:
        if statuses is not None:
            statuses = list(statuses)
            where += f" AND status IN ({_marks(statuses)})"
            args += statuses
        sql = f"SELECT {_COLUMNS} FROM jobs WHERE {where} ORDER BY created DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        return [_job(row) for row in self._read(sql, args)]

    def request_cancel(self, owner: str, job_id: str) -> Job:
        """A queued job is cancelled at once; a running one is asked to stop at its next chunk."""
        now = time.time()
        changed = self._write(
            "UPDATE jobs SET status = 'cancelled', finished = ?, updated = ?, eta_seconds = NULL "
            "WHERE id = ? AND owner = ? AND status = 'queued'", (now, now, job_id, owner)
        ).rowcount or self._write(
            "UPDATE jobs SET cancel_requested = 1, updated = ? WHERE id = ? AND owner = ? AND status = 'running'",
            (now, job_id, owner),
        ).rowcount
        job = self.get(owner, job_id)
        if not changed:
            raise JobStateError(f"job {job_id} is {job.status}: only {' or '.join(sorted(CANCELLABLE))} jobs can be cancelled")
        return job

    def requeue(self, owner: str, job_id: str, *, allowed: Collection[str], restart: bool) -> Job:
        """Queue a stopped job again. `restart` starts its progress over (retry); else it continues (resume)."""
        allowed = list(allowed)
        changed = self._write(
            "UPDATE jobs SET status = 'queued', cancel_requested = 0, error = NULL, eta_seconds = NULL, "
            "finished = NULL, outputs = '[]', note = NULL, updated = ?, "
            "progress = CASE WHEN ? THEN 0 ELSE progress END, stage = CASE WHEN ? THEN '' ELSE stage END "
            f"WHERE id = ? AND owner = ? AND status IN ({_marks(allowed)})",
            (time.time(), restart, restart, job_id, owner, *allowed),
        ).rowcount
        job = self.get(owner, job_id)
        if not changed:
            raise JobStateError(f"job {job_id} is {job.status}: this needs a job that is {' or '.join(sorted(allowed))}")
        return job

    def delete(self, owner: str, job_id: str) -> Job:
        """Remove a job's row (not its files: see JobQueue.delete). A running job must be cancelled first."""
        job = self.get(owner, job_id)
        if not self._write("DELETE FROM jobs WHERE id = ? AND owner = ? AND status != 'running'", (job_id, owner)).rowcount:
            raise JobStateError(f"job {job_id} is running: cancel it before deleting it")
        return job

    # ------------------------------------------------------------------ what workers do

    def claim_next(self, worker: str, kinds: Collection[str]) -> Job | None:
        """Take the oldest queued job of these kinds for `worker`, atomically: no two workers get one job."""
        if not kinds:
            return None
        kinds = list(kinds)
        now = time.time()
        rows = self._write(
            f"UPDATE jobs SET status = 'running', worker = ?, started = ?, heartbeat = ?, updated = ?, "
            f"attempts = attempts + 1, cancel_requested = 0, error = NULL, note = NULL "
            f"WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND kind IN ({_marks(kinds)}) "
            f"            ORDER BY created, rowid LIMIT 1) AND status = 'queued' RETURNING {_COLUMNS}",
            (worker, now, now, now, *kinds),
        ).fetchall()
        return _job(rows[0]) if rows else None

    def heartbeat(self, worker: str, job_ids: Collection[str]) -> dict[str, bool]:
        """Mark these jobs alive; return {job id: cancel requested} for those still held by `worker`."""
        if not job_ids:
            return {}
        ids = list(job_ids)
        rows = self._write(
            f"UPDATE jobs SET heartbeat = ? WHERE worker = ? AND status = 'running' AND id IN ({_marks(ids)}) "
            "RETURNING id, cancel_requested",
            (time.time(), worker, *ids),
        ).fetchall()
        return {row["id"]: bool(row["cancel_requested"]) for row in rows}

    def report(self, job: Job, worker: str, *, stage: str, progress: float, eta_seconds: float | None) -> bool:
        """Record a running job's stage, progress (never lower than before) and ETA. False if no longer ours."""
        now = time.time()
        return bool(self._write(
            "UPDATE jobs SET stage = ?, progress = MAX(progress, MIN(?, ?)), eta_seconds = ?, heartbeat = ?, "
            "updated = ? WHERE id = ? AND owner = ? AND worker = ? AND status = 'running'",
            (stage, float(progress), MAX_RUNNING_PROGRESS, eta_seconds, now, now, job.id, job.owner, worker),
        ).rowcount)

    def set_note(self, job: Job, worker: str, note: str | None) -> bool:
        """Record what the user should know of a running job's result. False if the job is no longer ours."""
        return bool(self._write(
            "UPDATE jobs SET note = ?, updated = ? WHERE id = ? AND owner = ? AND worker = ? AND status = 'running'",
            (note, time.time(), job.id, job.owner, worker),
        ).rowcount)

    def finish(self, job: Job, worker: str, status: str, *, error: str | None = None,
               outputs: Sequence[Output] = ()) -> bool:
        """End a running job: done (progress 1.0 exactly), failed, cancelled or interrupted."""
        if status not in ("done", "failed", "cancelled", "interrupted"):
            raise ValueError(f"a job cannot finish as {status!r}")
        now = time.time()
        return bool(self._write(
            "UPDATE jobs SET status = ?, error = ?, outputs = ?, eta_seconds = NULL, cancel_requested = 0, "
            "progress = CASE WHEN ? = 'done' THEN 1.0 ELSE progress END, "
            "stage = CASE WHEN ? = 'done' THEN 'done' ELSE stage END, "
            "finished = ?, updated = ?, heartbeat = NULL "
            "WHERE id = ? AND owner = ? AND worker = ? AND status = 'running'",
            (status, error, json.dumps([{"role": o.role, "path": o.path} for o in outputs]), status, status,
             now, now, job.id, job.owner, worker),
        ).rowcount)

    def recover(self, *, stale_after: float, is_dead: Callable[[str | None], bool], requeue: bool,
                max_crashes: int) -> list[str]:
        """Jobs left running by a dead worker (silent for `stale_after` s, or known dead) stop being running.

        Each is marked interrupted and, with `requeue`, queued again to resume; one whose worker died
        `max_crashes` times is failed instead, so a job that kills its worker cannot loop forever.
        """
        now = time.time()
        recovered = []
        for row in self._read("SELECT id, worker, heartbeat, crashes, stage FROM jobs WHERE status = 'running'"):
            if not (row["heartbeat"] is None or row["heartbeat"] < now - stale_after or is_dead(row["worker"])):
                continue
            crashes = row["crashes"] + 1
            if crashes >= max_crashes:
                status, error = "failed", f"the worker stopped {crashes} times while running this job (at {row['stage'] or 'start'})"
            else:
                status, error = ("queued" if requeue else "interrupted"), None
            changed = self._write(
                "UPDATE jobs SET status = ?, error = ?, crashes = ?, eta_seconds = NULL, heartbeat = NULL, updated = ?, "
                "finished = CASE WHEN ? = 'queued' THEN NULL ELSE ? END "
                "WHERE id = ? AND status = 'running' AND worker IS ?",
                (status, error, crashes, now, status, now, row["id"], row["worker"]),
            ).rowcount
            if changed:
                log.warning("job %s was left running by worker %s: now %s", row["id"], row["worker"], status)
                recovered.append(row["id"])
        return recovered

    def requeue_interrupted(self) -> list[str]:
        """Queue again every interrupted job (a worker that starts resumes what a stopped one left)."""
        rows = self._write(
            "UPDATE jobs SET status = 'queued', finished = NULL, updated = ? WHERE status = 'interrupted' RETURNING id",
            (time.time(),),
        ).fetchall()
        return [row["id"] for row in rows]
