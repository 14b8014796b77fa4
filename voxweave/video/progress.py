"""Running ffmpeg as a generator of progress events, read from its `-progress` report.

`iter_ffmpeg_progress` starts ffmpeg (argument list, no shell), parses the key=value blocks it
writes to stdout, and yields one EncodeProgress per block. stderr goes to a temporary file (it can
never fill a pipe and block ffmpeg) and its last lines are quoted in the MediaError on failure. A
timeout kills ffmpeg; closing the generator early terminates it and removes the partial output.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from voxweave.errors import MediaError
from voxweave.ffmpeg import DEFAULT_TIMEOUT_S, ffmpeg_binary

logger = logging.getLogger(__name__)

#: How many lines of ffmpeg's stderr a MediaError quotes.
STDERR_TAIL_LINES = 6
#: Seconds ffmpeg gets to exit after a polite terminate before it is killed.
TERMINATE_GRACE_S = 2.0


@dataclass(frozen=True)
class EncodeProgress:
    """How far one ffmpeg run is, in seconds of output written. `speed` is ffmpeg's multiple of real time."""

    seconds_done: float
    total_seconds: float | None
    fraction: float
    speed: float | None = None
    finished: bool = False


def iter_ffmpeg_progress(
    args: Sequence[str],
    total_seconds: float | None,
    timeout: float = DEFAULT_TIMEOUT_S,
    *,
    output: Path | None = None,
) -> Iterator[EncodeProgress]:
    """Run ffmpeg with `args` and yield its progress; the last event has fraction 1.0 and finished=True.

    `total_seconds` is the expected output duration (None or 0: fraction stays 0 until the end).
    `output`, when given, is deleted if the run does not complete (failure, timeout, early close).
    """
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
               "-progress", "pipe:1", "-nostats", *args]
    logger.debug("ffmpeg %s", " ".join(args))
    with tempfile.TemporaryFile() as stderr:
        process = _start(command, stderr)
        timer = _Watchdog(process, timeout)
        completed = False
        try:
            assert process.stdout is not None
            best = 0.0
            for block in _blocks(process.stdout):
                best = max(best, _seconds(block))
                if block.get("progress") == "end":
                    break
                yield _event(best, total_seconds, block, finished=False)
            code = process.wait()
            if timer.fired:
                raise MediaError(f"ffmpeg did not finish within {timeout:.0f} s")
            if code != 0:
                raise MediaError(f"ffmpeg failed (exit {code}): {_tail(stderr)}")
            completed = True
            yield _event(best, total_seconds, {}, finished=True)
        finally:
            timer.cancel()
            _stop(process)
            if not completed and output is not None:
                Path(output).unlink(missing_ok=True)


def run_with_progress(args: Sequence[str], total_seconds: float | None, timeout: float = DEFAULT_TIMEOUT_S) -> float:
    """Run ffmpeg to the end, ignoring the events; returns the seconds of output it reported."""
    last = 0.0
    for event in iter_ffmpeg_progress(args, total_seconds, timeout):
        last = event.seconds_done
    return last


def decoded_duration(path: Path, stream: str = "a", timeout: float = 120.0) -> float:
    """Seconds of stream `stream` ("a" or "v") in `path`, measured by decoding it (no ffprobe needed)."""
    if not Path(path).is_file():
        raise MediaError(f"{Path(path).name}: no such file")
    return run_with_progress(["-i", str(path), "-map", f"0:{stream}:0", "-f", "null", "-"], None, timeout)


# --- helpers ---------------------------------------------------------------------------------------


def _start(command: list[str], stderr: IO[bytes]) -> subprocess.Popen[str]:
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True)
    except OSError as e:
        raise MediaError(f"cannot start ffmpeg: {e}") from e


class _Watchdog:
    """Kills the process when `timeout` seconds pass; reading its stdout then ends."""

    def __init__(self, process: subprocess.Popen[str], timeout: float) -> None:
        self.fired = False
        self._process = process
        self._timer = threading.Timer(timeout, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        self._process.kill()

    def cancel(self) -> None:
        self._timer.cancel()


def _blocks(stdout: IO[str]) -> Iterator[dict[str, str]]:
    """ffmpeg's progress report as dicts, one per block (each block ends with a `progress=` line)."""
    block: dict[str, str] = {}
    for line in stdout:
        key, sep, value = line.strip().partition("=")
        if not sep:
            continue
        block[key] = value.strip()
        if key == "progress":
            yield block
            block = {}


def _seconds(block: dict[str, str]) -> float:
    """Output time of a block: out_time_us, else out_time_ms (also microseconds, an old ffmpeg quirk)."""
    for key in ("out_time_us", "out_time_ms"):
        try:
            return max(0.0, int(block[key]) / 1_000_000)
        except (KeyError, ValueError):
            continue
    return 0.0


def _speed(block: dict[str, str]) -> float | None:
    try:
        return float(block.get("speed", "").rstrip("x"))
    except ValueError:
        return None


def _event(seconds: float, total: float | None, block: dict[str, str], *, finished: bool) -> EncodeProgress:
    if finished:
        fraction = 1.0
    elif total:
        fraction = min(seconds / total, 0.999)
    else:
        fraction = 0.0
    return EncodeProgress(seconds, total, fraction, _speed(block), finished)


def _tail(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    lines = stderr.read().decode("utf-8", "replace").strip().splitlines()
    return "\n".join(lines[-STDERR_TAIL_LINES:]) or "(no message)"


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(TERMINATE_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
