"""The no-cloud video: the narration over a still background (cover, colours, waveform) with subtitles.

LocalVideoMaker is what the fallback chain calls when the cloud fails, and what users without a
video service get: it needs nothing but ffmpeg. It only turns its options into a CompositionSpec.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from voxweave.video.compose import (
    Background,
    ComposeProgress,
    CompositionResult,
    CompositionSpec,
    Fit,
    compose_video,
    iter_compose,
)


@dataclass(frozen=True)
class LocalVideoMaker:
    """Makes a video from narration + subtitles locally. Options hold for every video it makes."""

    resolution: str | tuple[int, int] = "720p"
    #: Background colour; with `gradient_to`, the top of a vertical gradient.
    color: str = "#101820"
    gradient_to: str | None = None
    waveform: bool = False
    burn_subtitles: bool = True
    fit: Fit = "contain"

    def iter_make(
        self,
        narration: Path,
        out_path: Path,
        *,
        subtitles: Path | None = None,
        title: str | None = None,
        image: bytes | Path | None = None,
    ) -> Iterator[ComposeProgress]:
        """Compose step by step (see compose.iter_compose); the last event carries the result.

        `image` (a book cover or an upload) fills the background; without one the title is shown.
        """
        yield from iter_compose(self.spec(narration, subtitles=subtitles, title=title, image=image), Path(out_path))

    def make(
        self,
        narration: Path,
        out_path: Path,
        *,
        subtitles: Path | None = None,
        title: str | None = None,
        image: bytes | Path | None = None,
    ) -> CompositionResult:
        """Compose to the end and return what was made."""
        return compose_video(self.spec(narration, subtitles=subtitles, title=title, image=image), Path(out_path))

    def spec(
        self, narration: Path, *, subtitles: Path | None, title: str | None, image: bytes | Path | None
    ) -> CompositionSpec:
        background = Background(
            color=self.color, gradient_to=self.gradient_to, image=image, fit=self.fit, caption=title
        )
        return CompositionSpec(
            narration=Path(narration),
            subtitles=Path(subtitles) if subtitles is not None else None,
            burn_subtitles=self.burn_subtitles,
            background=background,
            waveform=self.waveform,
            resolution=self.resolution,
            title=title,
        )
