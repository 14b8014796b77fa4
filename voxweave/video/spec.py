"""What a composition is asked for and what it gives back: the spec, its clips, progress and result."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from voxweave.video.background import Background

#: Output sizes by name (width, height); a size can also be written "640x360".
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160)}
FORMATS = ("mp4", "mov", "webm")
DEFAULT_TIMEOUT_S = 3600.0
_SIZE = re.compile(r"^\s*(\d+)\s*[x×]\s*(\d+)\s*$", re.IGNORECASE)


def parse_resolution(resolution: str | tuple[int, int]) -> tuple[int, int]:
    """(width, height) of a name from RESOLUTIONS, a "WIDTHxHEIGHT" string or a pair; ValueError if not usable."""
    if isinstance(resolution, str):
        named = RESOLUTIONS.get(resolution.strip().lower())
        if named is not None:
            return named
        written = _SIZE.match(resolution)
        if written is None:
            choices = ", ".join(RESOLUTIONS)
            raise ValueError(f"unknown resolution {resolution!r}: choose from {choices}, or WIDTHxHEIGHT")
        resolution = (int(written.group(1)), int(written.group(2)))
    width, height = resolution
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError(f"resolution must be positive and even, not {width}x{height}")
    return width, height


@dataclass(frozen=True)
class ClipSpan:
    """A clip file and the stretch of the narration it fills; it is looped or trimmed to fit.

    Spans never leave a gap: a clip fills from its start until the next clip's start, and the last
    one until the narration ends (so `end` only matters to the caller, e.g. to plan the clip's length).
    """

    path: Path
    start: float
    end: float


@dataclass(frozen=True)
class SubtitleStyle:
    """How burned SRT/VTT cues look. Sizes are fractions of the video height (ASS files keep their own)."""

    size: float = 0.055
    color: str = "#ffffff"
    outline_color: str = "#000000"
    outline: float = 0.004
    margin: float = 0.06


@dataclass(frozen=True)
class CompositionSpec:
    narration: Path
    subtitles: Path | None = None
    #: Burn the subtitles into the picture; False adds them as a track (mov_text, webvtt) instead.
    burn_subtitles: bool = True
    background: Background = Background()
    #: Clips in order; each fills from its start to the next clip's start (the last to the end).
    clips: tuple[ClipSpan, ...] = ()
    #: "loop" a clip shorter than its span, or "hold" its last frame.
    clip_fill: Literal["loop", "hold"] = "loop"
    waveform: bool = False
    waveform_color: str = "#ffffff"
    #: A name from RESOLUTIONS, "WIDTHxHEIGHT", or (width, height).
    resolution: str | tuple[int, int] = "720p"
    #: "mp4", "mov" or "webm"; None takes it from the output's suffix.
    format: str | None = None
    subtitle_style: SubtitleStyle = SubtitleStyle()
    #: A fixed frame rate for a still video (some editors dislike variable rates); None = sparse frames.
    still_fps: float | None = None
    title: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S

    @property
    def size(self) -> tuple[int, int]:
        return parse_resolution(self.resolution)


def output_format(spec: CompositionSpec, out_path: Path) -> str:
    fmt = (spec.format or out_path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown video format {fmt!r}: choose from {', '.join(FORMATS)}")
    return fmt


@dataclass(frozen=True)
class CompositionResult:
    path: Path
    duration: float
    subtitles_burned: bool
    #: The subtitle file written beside the video (whenever subtitles were given and readable).
    sidecar: Path | None
    #: What did not go as asked, in sentences for the user (e.g. burning failed, the file is beside it).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComposeProgress:
    stage: Literal["prepare", "encode", "done"]
    fraction: float
    seconds_done: float = 0.0
    total_seconds: float = 0.0
    speed: float | None = None
    message: str = ""
    result: CompositionResult | None = field(default=None, repr=False)
