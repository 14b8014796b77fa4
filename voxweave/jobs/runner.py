"""The Runner: worker threads that claim queued jobs from the store, run their job function, and
record how each ended.

Responsibilities: one thread per device for synthesis jobs (speech runs one at a time per device) and
a few threads for I/O-bound kinds; heartbeats and cancel requests; on start, recovery of jobs a dead
worker left running (queued again to resume, by default); a clean stop that leaves its running jobs
interrupted, to be resumed. It never dies of a job's error: the job is marked failed, with its stage
and message, and the thread takes the next job. It is the only place that catches every exception.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import uuid4

from voxweave.errors import VoxweaveError
from voxweave.jobs.errors import JobStopped, UnsafePath
from voxweave.jobs.files import JobFiles, JobFolder
from voxweave.jobs.models import Job, Output
from voxweave.jobs.store import JobStore

log = logging.getLogger(__name__)

#: Kinds that need the speech engine (one at a time per device) and kinds that mostly wait on others.
DEVICE_KINDS = ("narration", "preview")
IO_KINDS = ("video",)
#: A running job's progress is written at most this often (plus at each change of stage).
REPORT_INTERVAL_S = 0.5
DEFAULT_HEARTBEAT_S = 1.0
DEFAULT_POLL_S = 0.5
DEFAULT_STALE_AFTER_S = 30.0
DEFAULT_MAX_CRASHES = 3
DEFAULT_STOP_TIMEOUT_S = 30.0

#: What a job function is: it reads its row and its folder (nothing else) and returns its outputs.
JobFunction = Callable[["JobContext"], Sequence[Output]]
#: Turns a voice id into (engine, voice spec): EngineRegistry.resolve, or a test's own.
EngineResolver = Callable[[str], tuple[Any, Any]]

_HOST = socket.gethostname()
#: Worker ids of the Runners started in this process and not yet stopped.
_LIVE_WORKERS: set[str] = set()


def disk_problem(e: OSError) -> str:
    """What a user can do about a failed file operation."""
    if e.errno == errno.ENOSPC:
        return "the server's disk is full: free some space, then Resume or Retry (finished parts are kept)"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"the server may not write its files ({e.strerror}): an admin should check the data folder's permissions"
    return f"a file operation failed ({e.strerror or e}{f': {e.filename}' if e.filename else ''})"


def new_worker_id() -> str:
    return f"{_HOST}:{os.getpid()}:{uuid4().hex[:8]}"


def worker_is_dead(worker: str | None) -> bool:
    """True when `worker` ran on this machine and is known to be gone; others are judged by heartbeat."""
    if not worker:
        return True
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return worker not in _LIVE_WORKERS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class JobContext:
    """What a job function gets: its row, its folder, the shared services, and ways to report and stop."""

    def __init__(self, runner: Runner, job: Job, folder: JobFolder, device: str) -> None:
        self.job = job
        self.folder = folder
        self.device = device
        self.settings = runner.settings
        self.engines: EngineResolver = runner.engines
        self.speech_cache = runner.speech_cache
        self._runner = runner
        self._stop = threading.Event()
        self._stop_status = "cancelled"
        self._pending: tuple[str, float, float | None] | None = None
        self._written_stage: str | None = None
        self._written_at = 0.0
        self._notes: list[str] = []

    # progress --------------------------------------------------------------------------------

    def report(self, stage: str, progress: float, eta_seconds: float | None = None) -> None:
        """Note where the job is; written to the database at a bounded rate and at each new stage."""
        self._pending = (stage, progress, eta_seconds)
        now = time.monotonic()
        if stage != self._written_stage or now - self._written_at >= REPORT_INTERVAL_S:
            self.flush()

    def flush(self) -> None:
        if self._pending is None:
            return
        stage, progress, eta = self._pending
        self._pending = None
        self._written_stage, self._written_at = stage, time.monotonic()
        try:
            still_ours = self._runner.store.report(self.job, self._runner.worker_id, stage=stage,
                                                   progress=progress, eta_seconds=eta)
        except sqlite3.Error as e:  # progress is advisory: a busy database must not fail the job
            log.warning("job %s: cannot record progress (%s)", self.job.id, e)
            return
        if not still_ours:
            self.stop("lost")

    def note(self, text: str) -> None:
        """Tell the user something about the result that is not an error (a fallback taken, subtitles
        delivered as a file); kept with the job, one line per distinct note, written at once."""
        text = " ".join(text.split())
        if not text or text in self._notes:
            return
        self._notes.append(text)
        try:
            still_ours = self._runner.store.set_note(self.job, self._runner.worker_id, "\n".join(self._notes))
        except sqlite3.Error as e:  # like progress: a busy database must not fail the job
            log.warning("job %s: cannot record its note (%s)", self.job.id, e)
            return
        if not still_ours:
            self.stop("lost")

    # stopping --------------------------------------------------------------------------------

    def stop(self, status: str) -> None:
        """Ask the job to stop at its next check: 'cancelled', 'interrupted', or 'lost' (no longer ours)."""
        if not self._stop.is_set():
            self._stop_status = status
            self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        """Raise JobStopped if the job was asked to stop (call it between units of work)."""
        if self._stop.is_set():
            raise JobStopped(self._stop_status)


class Runner:
    """Runs queued jobs with the registered job functions. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        store: JobStore,
        files: JobFiles,
        settings: Any,
        *,
        functions: Mapping[str, JobFunction],
        engines: EngineResolver,
        speech_cache: Any = None,
        devices: Sequence[str] = ("default",),
        io_threads: int = 2,
        worker_id: str | None = None,
        heartbeat_s: float = DEFAULT_HEARTBEAT_S,
        poll_s: float = DEFAULT_POLL_S,
        stale_after_s: float = DEFAULT_STALE_AFTER_S,
        resume_on_start: bool = True,
        max_crashes: int = DEFAULT_MAX_CRASHES,
    ) -> None:
        self.store = store
        self.files = files
        self.settings = settings
        self.functions = dict(functions)
        self.engines = engines
        self.speech_cache = speech_cache
        self.devices = tuple(devices) or ("default",)
        self.io_threads = io_threads
        self.worker_id = worker_id or new_worker_id()
        self.heartbeat_s = heartbeat_s
        self.poll_s = poll_s
        self.stale_after_s = stale_after_s
        self.resume_on_start = resume_on_start
        self.max_crashes = max_crashes
        self._active: dict[str, tuple[Job, JobContext]] = {}
        self._active_lock = threading.Lock()
        self._halt = threading.Event()
        self._wakes: list[threading.Event] = []
        self._threads: list[threading.Thread] = []

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> Runner:
        _LIVE_WORKERS.add(self.worker_id)
        self.recover()
        if self.resume_on_start:
            for job_id in self.store.requeue_interrupted():
                log.info("job %s was interrupted: queued again to resume", job_id)
        lanes = [(f"device-{d}", d, self._kinds(DEVICE_KINDS)) for d in self.devices]
        lanes += [(f"io-{i}", "io", self._kinds(IO_KINDS)) for i in range(self.io_threads)]
        for name, device, kinds in lanes:
            if kinds:
                wake = threading.Event()
                self._wakes.append(wake)
                self._spawn(f"voxweave-{name}", self._serve, device, kinds, wake)
        self._spawn("voxweave-heartbeat", self._beat)
        log.info("runner %s started: %d lanes", self.worker_id, len(self._wakes))
        return self

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT_S) -> None:
        """Stop taking jobs; running jobs stop at their next check and are left interrupted (resumable)."""
        self._halt.set()
        for _, context in self._snapshot():
            context.stop("interrupted")
        self.wake()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for job, _ in self._snapshot():  # stuck in a long call: leave the row resumable anyway
            log.warning("job %s did not stop within %.0f s: marking it interrupted", job.id, timeout)
            self.store.finish(job, self.worker_id, "interrupted")
        if self.speech_cache is not None:
            self.speech_cache.flush()
        _LIVE_WORKERS.discard(self.worker_id)
        log.info("runner %s stopped", self.worker_id)

    def __enter__(self) -> Runner:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wake(self) -> None:
        """Look for queued jobs now (a job was just submitted in this process)."""
        for wake in self._wakes:
            wake.set()

    def recover(self) -> list[str]:
        """Make the jobs of dead workers resumable (see JobStore.recover)."""
        return self.store.recover(stale_after=self.stale_after_s, is_dead=worker_is_dead,
                                  requeue=self.resume_on_start, max_crashes=self.max_crashes)

    @property
    def running(self) -> list[str]:
        return [job.id for job, _ in self._snapshot()]

    # threads ---------------------------------------------------------------------------------

    def _kinds(self, kinds: Sequence[str]) -> tuple[str, ...]:
        return tuple(kind for kind in kinds if kind in self.functions)

    def _spawn(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _snapshot(self) -> list[tuple[Job, JobContext]]:
        with self._active_lock:
            return list(self._active.values())

    def _serve(self, device: str, kinds: tuple[str, ...], wake: threading.Event) -> None:
        while not self._halt.is_set():
            wake.clear()
            try:
                job = self.store.claim_next(self.worker_id, kinds)
            except Exception:  # the database may be locked or gone for a moment: try again later
                log.exception("runner %s: cannot claim a job", self.worker_id)
                job = None
            if job is None:
                wake.wait(self.poll_s)
                continue
            try:
                self._run(job, device)
            except Exception:  # the lane lives on; the row, if left running, is recovered later
                log.exception("runner %s: job %s could not be run", self.worker_id, job.id)

    def _beat(self) -> None:
        next_recovery = time.monotonic() + self.stale_after_s / 2
        while not self._halt.wait(self.heartbeat_s):
            running = self._snapshot()
            try:
                states = self.store.heartbeat(self.worker_id, [job.id for job, _ in running])
                if time.monotonic() >= next_recovery:
                    next_recovery = time.monotonic() + self.stale_after_s / 2
                    if self.recover():
                        self.wake()
            except Exception:
                log.exception("runner %s: heartbeat failed", self.worker_id)
                continue
            for job, context in running:
                if job.id not in states:
                    context.stop("lost")
                elif states[job.id]:
                    context.stop("cancelled")

    # one job ---------------------------------------------------------------------------------

    def _run(self, job: Job, device: str) -> None:
        try:
            folder = self.files.folder(job.owner, job.id)
        except UnsafePath as e:  # a row written by hand, with an owner or id no folder can have
            self.store.finish(job, self.worker_id, "failed", error=str(e))
            return
        context = JobContext(self, job, folder, device)
        with self._active_lock:
            self._active[job.id] = (job, context)
        if self._halt.is_set():
            context.stop("interrupted")
        log.info("job %s (%s of %s) started on %s", job.id, job.kind, job.owner, device)
        status, error, outputs = "failed", None, ()
        try:
            outputs = tuple(self.functions[job.kind](context))
            status = "done"
        except JobStopped as e:
            status = e.status
        except (VoxweaveError, ValueError) as e:  # typed errors carry a message meant for the user
            error = str(e)
        except OSError as e:  # the job's folder, the cache, the database's disk
            log.warning("job %s: %s", job.id, e)
            error = disk_problem(e)
        except Exception as e:
            log.exception("job %s failed unexpectedly", job.id)
            error = f"unexpected {type(e).__name__}: {e}"
        finally:
            with self._active_lock:
                self._active.pop(job.id, None)
        self._finish(job, context, status, error, outputs)

    def _finish(self, job: Job, context: JobContext, status: str, error: str | None,
                outputs: Sequence[Output]) -> None:
        try:
            context.flush()
            if status == "lost":
                log.warning("job %s was taken from this worker (it looked dead); leaving it", job.id)
                return
            if not self.store.finish(job, self.worker_id, status, error=error, outputs=outputs):
                log.warning("job %s: its row was no longer this worker's when it ended %s", job.id, status)
            else:
                log.info("job %s %s%s", job.id, status, f": {error}" if error else "")
        except Exception:  # the row stays running; its heartbeat stops, so recovery will resume it
            log.exception("job %s: cannot record that it ended %s", job.id, status)
