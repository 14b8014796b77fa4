"""The no-cloud video maker: narration + subtitles + cover or title, with the real ffmpeg."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile
from PIL import Image

from voxweave.ffmpeg import ffmpeg_binary
from voxweave.video.local import LocalVideoMaker
from voxweave.video.progress import decoded_duration

pytestmark = pytest.mark.slow

RATE = 24_000


def tone(path: Path, seconds: float) -> Path:
    t = np.arange(int(seconds * RATE)) / RATE
    soundfile.write(path, (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), RATE)
    return path


def cover_bytes(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 300), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def frame_at(video: Path, seconds: float, folder: Path) -> np.ndarray:
    """RGB picture shown at `seconds` (sparse still frames are repeated onto a 50 fps grid first)."""
    png = folder / f"{video.stem}-{seconds:.2f}.png"
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", "-i", str(video), "-ss", f"{seconds:.3f}",
               "-vf", "fps=50", "-frames:v", "1", str(png)]
    subprocess.run(command, capture_output=True, timeout=60, check=True)
    return np.asarray(Image.open(png).convert("RGB"))


def test_a_cover_with_burned_subtitles(tmp_path):
    narration = tone(tmp_path / "book.wav", 3.0)
    srt = tmp_path / "book.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:01,500\nThe keeper climbed the stairs.\n", encoding="utf-8")
    out = tmp_path / "video" / "book.mp4"

    result = LocalVideoMaker(resolution=(640, 360)).make(
        narration, out, subtitles=srt, title="The Lighthouse", image=cover_bytes("blue")
    )

    assert result.path == out and result.subtitles_burned and result.notes == ()
    assert result.sidecar == out.with_suffix(".srt") and abs(result.duration - 3.0) < 0.01
    assert abs(decoded_duration(out, "a") - 3.0) < 0.1
    during, after = frame_at(out, 1.0, tmp_path), frame_at(out, 2.0, tmp_path)
    r, g, b = during[180, 320]
    assert b > 180 and r < 60  # the cover, in the middle
    lower = slice(240, 360)
    assert (during[lower].min(axis=2) > 200).sum() > 150  # white text over the dimmed cover
    assert (after[lower].min(axis=2) > 200).sum() == 0


def test_without_a_cover_the_title_is_shown_and_progress_ends_with_the_result(tmp_path):
    narration = tone(tmp_path / "n.wav", 2.0)
    maker = LocalVideoMaker(resolution=(320, 180), color="#000000", gradient_to="#202020")

    events = list(maker.iter_make(narration, tmp_path / "title.webm", title="The Lighthouse"))

    result = events[-1].result
    assert result is not None and events[-1].fraction == 1.0
    assert result.sidecar is None and not result.subtitles_burned and result.notes == ()
    middle = frame_at(result.path, 1.0, tmp_path)[50:100].min(axis=2)
    assert (middle > 200).sum() > 50  # the title, white on black
