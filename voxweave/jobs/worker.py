"""`voxweave worker` / `python -m voxweave.jobs.worker`: run queued jobs until told to stop.

On start it makes the jobs a dead worker left running resumable and queues interrupted ones again; on
SIGTERM or Ctrl-C it stops at the running jobs' next chunk and leaves them interrupted, so the next
worker resumes them.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from voxweave.jobs.api import build_runner
from voxweave.jobs.config import JobSettings
from voxweave.jobs.files import JobFiles
from voxweave.jobs.store import JobStore

log = logging.getLogger(__name__)


def serve(settings: Any, stop: threading.Event, *, devices: Sequence[str] | None = None,
          stop_timeout: float = 30.0) -> None:
    """Run a Runner on the settings' database until `stop` is set."""
    config = JobSettings.of(settings)
    store = JobStore(config.db_path)
    overrides = {"devices": tuple(devices)} if devices else {}
    runner = build_runner(settings, store, JobFiles(config.data_dir), **overrides).start()
    log.info("worker %s: serving %s", runner.worker_id, config.db_path)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        runner.stop(stop_timeout)
        store.close()


def install_stop_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop` (the main thread then shuts the runner down cleanly)."""
    def handler(signum: int, _frame: object) -> None:
        log.info("worker: signal %d, stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def run_worker(devices: Sequence[str] | None = None) -> int:
    from voxweave.config import Settings

    stop = threading.Event()
    install_stop_signals(stop)
    serve(Settings(), stop, devices=devices)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voxweave.jobs.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--device", action="append", dest="devices",
                        help="a device to run speech on (repeat for several); default: the settings' job_devices")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return run_worker(args.devices)


if __name__ == "__main__":
    sys.exit(main())
