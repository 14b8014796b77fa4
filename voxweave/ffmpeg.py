"""Finding and running ffmpeg: argument lists, timeouts, and outputs that appear only when complete."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from voxweave.errors import MediaError

#: Generous default for one ffmpeg call; long renders pass their own.
DEFAULT_TIMEOUT_S = 3600.0


@lru_cache(maxsize=1)
def ffmpeg_binary() -> str:
    """FFMPEG_BINARY if set, else the binary that imageio-ffmpeg ships, else `ffmpeg` on PATH."""
    configured = os.environ.get("FFMPEG_BINARY")
    if configured:
        if not Path(configured).is_file():
            raise MediaError(f"FFMPEG_BINARY points to {configured}, which does not exist")
        return configured
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        found = shutil.which("ffmpeg")
        if found:
            return found
        raise MediaError("no ffmpeg found: install imageio-ffmpeg, or set FFMPEG_BINARY") from e


def run_ffmpeg(args: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """Run ffmpeg with `args` (no shell). Raises MediaError with ffmpeg's last lines on failure."""
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", *args]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise MediaError(f"ffmpeg did not finish within {timeout:.0f} s") from e
    except OSError as e:
        raise MediaError(f"cannot start ffmpeg: {e}") from e
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-6:])
        raise MediaError(f"ffmpeg failed (exit {result.returncode}): {tail}")
    return result


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling path; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
