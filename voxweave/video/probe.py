"""What composition needs to know of the narration before it starts: its length and codec."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import soundfile

from voxweave.errors import MediaError
from voxweave.ffmpeg import ffmpeg_binary
from voxweave.video.progress import decoded_duration

PROBE_TIMEOUT_S = 60


@dataclass(frozen=True)
class AudioInfo:
    """The narration's length and, when known, its codec."""

    duration: float
    codec: str | None = None


def probe_audio(path: Path) -> AudioInfo:
    """Length (and codec) of the narration: soundfile's header when it reads the file, else ffmpeg's."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path.name}: the narration file does not exist")
    try:
        info = soundfile.info(str(path))
        found = AudioInfo(info.frames / info.samplerate if info.samplerate else 0.0)
    except (RuntimeError, TypeError, ValueError):  # a container soundfile cannot read (m4a, m4b, ...)
        found = _probe_with_ffmpeg(path)
    if found.duration <= 0:
        raise MediaError(f"{path.name}: the narration has no audio")
    return found


def _probe_with_ffmpeg(path: Path) -> AudioInfo:
    """Parse `ffmpeg -i`'s description of the file (there is no ffprobe); decode when it gives no length."""
    try:
        described = subprocess.run([ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path)],
                                   capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False).stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MediaError(f"cannot read {path.name}: {e}") from e
    codec = re.search(r"Stream #.*?: Audio: (\w+)", described)
    if codec is None:
        raise MediaError(f"{path.name}: no audio stream found")
    length = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", described)
    if length is None:
        return AudioInfo(decoded_duration(path, "a"), codec.group(1))
    hours, minutes, seconds = length.groups()
    return AudioInfo(int(hours) * 3600 + int(minutes) * 60 + float(seconds), codec.group(1))
