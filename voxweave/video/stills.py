"""A still picture as sparse video frames: one at every subtitle change (to the millisecond) and at least
one a second, instead of 25 identical frames a second. That is what makes a still-image video cheap
(see bench/bench_video.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

#: A still video gets a frame at least this often, besides one at every subtitle change.
MAX_STILL_GAP_S = 1.0
#: Frames of a still video land on this grid (ms): subtitle changes are placed exactly.
STILL_TIMEBASE = 1000
#: Frames at a subtitle change are placed this much after it, so that rounding never shows the old state.
CHANGE_OFFSET_S = 0.001


def still_frames(background: Image.Image, work: Path, duration: float, changes: Sequence[float]) -> Path:
    """A concat list (written in `work`) showing the background once per change: sparse frames at exact times."""
    frame = write_y4m(background, work / "background.y4m")
    times = still_frame_times(changes, duration)
    lines = ["ffconcat version 1.0"]
    for start, stop in zip(times, [*times[1:], duration]):
        lines += [f"file {frame.name}", f"duration {stop - start:.3f}"]
    listing = work / "frames.ffconcat"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


def still_frame_times(changes: Sequence[float], duration: float, max_gap: float = MAX_STILL_GAP_S) -> list[float]:
    """Frame start times (whole ms) for a still video: 0, just after each change, every max_gap, and
    1 ms before the end (encoders do not keep the last frame's duration: a 1 ms frame ends the track on time).
    """
    end = round(duration * 1000)
    marks = sorted({0, end - 1} | {round((c + CHANGE_OFFSET_S) * 1000) for c in changes if 0 < c < duration})
    marks = [m for m in marks if 0 <= m < end]
    times: list[float] = []
    for start, stop in zip(marks, [*marks[1:], end]):
        pieces = max(1, -(-(stop - start) // round(max_gap * 1000)))
        times += [(start + (stop - start) * k // pieces) / 1000 for k in range(pieces)]
    return times


def write_y4m(picture: Image.Image, path: Path) -> Path:
    """One frame of BT.709 limited-range 4:2:0 YUV in a YUV4MPEG2 file whose clock ticks in ms.

    Reading it costs ffmpeg nothing (no decoding, no conversion), however often the concat list
    repeats it; the ms clock keeps the concat durations exact.
    """
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float32) / 255.0
    luma = rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    height, width = luma.shape

    def quarter(plane: np.ndarray) -> np.ndarray:  # average each 2x2 block
        return plane.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))

    y = 16 + 219 * luma
    u = 128 + 224 * quarter((rgb[..., 2] - luma) / 1.8556)
    v = 128 + 224 * quarter((rgb[..., 0] - luma) / 1.5748)
    header = f"YUV4MPEG2 W{width} H{height} F{STILL_TIMEBASE}:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\nFRAME\n"
    with open(path, "wb") as out:
        out.write(header.encode("ascii"))
        for plane in (y, u, v):
            out.write(np.clip(plane.round(), 0, 255).astype(np.uint8).tobytes())
    return path
