"""Subtitles in a video: read and styled once for the frame size, burned with libass or kept as a track,
and copied beside the video as a sidecar file.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pysubs2

from voxweave.errors import MediaError, OutputError
from voxweave.ffmpeg import atomic_output, run_ffmpeg
from voxweave.video.background import FONT_NAME, FONTS_DIR, parse_color
from voxweave.video.spec import SubtitleStyle

if TYPE_CHECKING:
    from voxweave.video.spec import CompositionSpec

logger = logging.getLogger(__name__)

#: ASS override tags that animate text within a cue: such subtitles need a steady frame rate.
_ANIMATED = re.compile(r"\\(?:k|kf|ko|K|t\(|move|fad|fade)", re.IGNORECASE)


@dataclass(frozen=True)
class PreparedSubtitles:
    """The subtitles ready for ffmpeg: an ASS file to burn, an SRT for a soft track, change times."""

    ass: Path
    srt: Path
    changes: tuple[float, ...]
    animated: bool


def prepare_subtitles(
    spec: CompositionSpec, work: Path, size: tuple[int, int], notes: list[str]
) -> PreparedSubtitles | None:
    """Read the subtitles once (pysubs2), style them for `size`; None (with a note) if unreadable."""
    if spec.subtitles is None:
        return None
    source = Path(spec.subtitles)
    try:
        subs = pysubs2.load(str(source), encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError, pysubs2.exceptions.Pysubs2Error) as e:
        notes.append(f"The subtitles could not be read ({e}); the video has none.")
        logger.warning("cannot read subtitles %s: %s", source, e)
        return None
    if source.suffix.lower() not in (".ass", ".ssa"):
        _restyle(subs, size, spec.subtitle_style)
    ass, srt = work / "subtitles.ass", work / "subtitles.srt"
    subs.save(str(ass))
    subs.save(str(srt))
    events = [e for e in pysubs2.load(str(ass)) if not e.is_comment]
    changes = sorted({t / 1000 for e in events for t in (e.start, e.end)})
    animated = any(_ANIMATED.search(e.text) for e in events)
    return PreparedSubtitles(ass, srt, tuple(changes), animated)


def _restyle(subs: pysubs2.SSAFile, size: tuple[int, int], style: SubtitleStyle) -> None:
    width, height = size
    subs.info.update({"PlayResX": str(width), "PlayResY": str(height), "ScaledBorderAndShadow": "yes"})
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=FONT_NAME,
        fontsize=round(style.size * height),
        primarycolor=pysubs2.Color(*parse_color(style.color)),
        outlinecolor=pysubs2.Color(*parse_color(style.outline_color)),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=max(1.0, round(style.outline * height, 1)),
        shadow=0.0,
        marginl=round(0.06 * width),
        marginr=round(0.06 * width),
        marginv=round(style.margin * height),
    )


def write_sidecar(source: Path, out_path: Path, notes: list[str]) -> Path | None:
    """Copy the caller's subtitle file beside the video (same stem, its own suffix)."""
    source = Path(source)
    target = out_path.with_suffix(source.suffix.lower() or ".srt")
    if not source.is_file():
        notes.append(f"The subtitle file {source.name} does not exist; no subtitle file was written.")
        return None
    if target.resolve() == source.resolve():
        return target
    try:
        with atomic_output(target) as partial:
            shutil.copyfile(source, partial)
    except OSError as e:
        raise OutputError(f"cannot write {target}: {e}") from e
    return target


def subtitles_filter(ass: Path | str) -> str:
    """libass burning with the shipped font folder; both paths escaped for the filtergraph."""
    return f"subtitles=filename={escape_filter_value(str(ass))}:fontsdir={escape_filter_value(str(FONTS_DIR))}"


def escape_filter_value(value: str) -> str:
    """`value` quoted for a filter option inside a filtergraph (ffmpeg's two levels of escaping)."""
    quoted = "'" + value.replace("'", "'\\''") + "'"
    return re.sub(r"([\\'\[\],;])", r"\\\1", quoted)


@lru_cache(maxsize=8)
def has_filter(name: str) -> bool:
    """Whether this ffmpeg has the filter `name` (libass builds have `subtitles`)."""
    try:
        listing = run_ffmpeg(["-filters"], timeout=30).stdout
    except MediaError:
        return False
    return any(line.split()[1:2] == [name] for line in listing.splitlines())
