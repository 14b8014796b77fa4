"""The jobs' settings, read from the library's Settings with defaults (fields it may not have yet)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voxweave.jobs.runner import (DEFAULT_HEARTBEAT_S, DEFAULT_MAX_CRASHES, DEFAULT_POLL_S,
                                  DEFAULT_STALE_AFTER_S)
from voxweave.jobs.store import DB_FILENAME


@dataclass(frozen=True)
class JobSettings:
    db_path: Path
    data_dir: Path
    #: One synthesis thread per device ("default", "cuda:0", "cuda:1", ...).
    devices: tuple[str, ...] = ("default",)
    io_threads: int = 2
    heartbeat_s: float = DEFAULT_HEARTBEAT_S
    poll_s: float = DEFAULT_POLL_S
    stale_after_s: float = DEFAULT_STALE_AFTER_S
    resume_on_start: bool = True
    max_crashes: int = DEFAULT_MAX_CRASHES

    @classmethod
    def of(cls, settings: Any) -> JobSettings:
        data_dir = Path(settings.data_dir)
        devices = getattr(settings, "job_devices", None) or ("default",)
        if isinstance(devices, str):
            devices = [d.strip() for d in devices.split(",") if d.strip()]
        return cls(
            db_path=Path(getattr(settings, "jobs_db", None) or data_dir / DB_FILENAME),
            data_dir=data_dir,
            devices=tuple(devices) or ("default",),
            io_threads=int(getattr(settings, "job_io_threads", 2)),
            heartbeat_s=float(getattr(settings, "job_heartbeat_seconds", DEFAULT_HEARTBEAT_S)),
            poll_s=float(getattr(settings, "job_poll_seconds", DEFAULT_POLL_S)),
            stale_after_s=float(getattr(settings, "job_stale_seconds", DEFAULT_STALE_AFTER_S)),
            resume_on_start=bool(getattr(settings, "job_resume_on_start", True)),
            max_crashes=int(getattr(settings, "job_max_crashes", DEFAULT_MAX_CRASHES)),
        )
