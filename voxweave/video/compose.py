"""Composing a narrated video with ffmpeg: a background or clips, the narration, and subtitles.

Responsibilities: check the inputs, prepare the subtitles once, run one ffmpeg encode that lays the
clips or the background under an optional waveform and burned subtitles and muxes the narration (the
video lasts exactly as long as the narration), and fall back to an unburned video with a sidecar
subtitle file when burning fails. `iter_compose` yields ComposeProgress events (closing it stops
ffmpeg and removes the partial file); `compose_video` is the same with a callback.

The parts live in modules of their own, and their public names are importable from here too:
spec (what is asked and given back), background (the still picture), captions (subtitles), stills
(sparse frames for a still picture), graph (ffmpeg's arguments), probe (the narration's length).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path

from voxweave.errors import MediaError, OutputError
from voxweave.ffmpeg import atomic_output
from voxweave.video.background import (
    FONT_FILE,
    FONT_NAME,
    FONTS_DIR,
    Background,
    Fit,
    background_image,
    parse_color,
    render_background,
)
from voxweave.video.captions import (
    PreparedSubtitles,
    escape_filter_value,
    has_filter,
    prepare_subtitles,
    write_sidecar,
)
from voxweave.video.graph import KEYFRAME_INTERVAL_S, MOTION_FPS, EncodeJob, ffmpeg_args
from voxweave.video.probe import AudioInfo, probe_audio
from voxweave.video.progress import EncodeProgress, iter_ffmpeg_progress
from voxweave.video.spec import (
    DEFAULT_TIMEOUT_S,
    FORMATS,
    RESOLUTIONS,
    ClipSpan,
    ComposeProgress,
    CompositionResult,
    CompositionSpec,
    SubtitleStyle,
    output_format,
    parse_resolution,
)
from voxweave.video.stills import MAX_STILL_GAP_S, STILL_TIMEBASE, still_frame_times, write_y4m

logger = logging.getLogger(__name__)


def compose_video(
    spec: CompositionSpec, out_path: Path, *, on_progress: Callable[[ComposeProgress], None] | None = None
) -> CompositionResult:
    """Make the video at `out_path` and return what was made; `on_progress` sees every event."""
    result = None
    for event in iter_compose(spec, out_path):
        if on_progress is not None:
            on_progress(event)
        result = event.result or result
    if result is None:
        raise MediaError("composition ended without a result")
    return result


def iter_compose(spec: CompositionSpec, out_path: Path) -> Iterator[ComposeProgress]:
    """Compose step by step; the last event has stage "done", fraction 1.0 and the result."""
    out_path = Path(out_path)
    fmt, size = output_format(spec, out_path), spec.size
    narration = probe_audio(spec.narration)
    duration = narration.duration
    _check_clips(spec.clips)
    yield ComposeProgress("prepare", 0.0, total_seconds=duration, message="preparing the background and subtitles")
    notes: list[str] = []
    last = 0.0
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".voxweave-compose-", dir=out_path.parent) as folder:
            job = EncodeJob(spec, fmt, size, duration, Path(folder), out_path, narration.codec)
            subs = prepare_subtitles(spec, job.work, size, notes)
            with closing(_encode_with_fallback(job, subs, _can_burn(spec, subs, notes), notes)) as encoding:
                while True:
                    try:
                        event = next(encoding)
                    except StopIteration as done:
                        burned = done.value
                        break
                    last = max(last, event.fraction)
                    yield ComposeProgress("encode", min(last, 0.999), event.seconds_done, duration, event.speed,
                                          message="encoding the video")
    except OSError as e:
        raise OutputError(f"cannot write the video in {out_path.parent}: {e}") from e
    sidecar = write_sidecar(spec.subtitles, out_path, notes) if spec.subtitles is not None else None
    result = CompositionResult(out_path, duration, burned, sidecar, tuple(notes))
    yield ComposeProgress("done", 1.0, duration, duration, message="done", result=result)


def _can_burn(spec: CompositionSpec, subs: PreparedSubtitles | None, notes: list[str]) -> bool:
    if subs is None or not spec.burn_subtitles:
        return False
    if not has_filter("subtitles"):
        notes.append("This ffmpeg cannot burn subtitles (no libass); the subtitles are in a file beside the video.")
        return False
    return True


def _encode_with_fallback(
    job: EncodeJob, subs: PreparedSubtitles | None, burn: bool, notes: list[str]
) -> Generator[EncodeProgress, None, bool]:
    """Encode, burning the subtitles if asked; if that fails, encode without them. Returns whether burned."""
    if burn:
        try:
            yield from _encode(job, subs, burn=True)
            return True
        except MediaError as e:
            logger.warning("burning subtitles failed, composing without them: %s", e)
            notes.append(f"Burning the subtitles failed ({_last_line(e)}); they are in a file beside the video.")
    yield from _encode(job, subs, burn=False)
    return False


def _encode(job: EncodeJob, subs: PreparedSubtitles | None, *, burn: bool) -> Iterator[EncodeProgress]:
    """One ffmpeg run to a temporary name, renamed onto the output only when it succeeds."""
    with atomic_output(job.out_path) as partial:
        args = ffmpeg_args(job, subs, burn, partial)
        yield from iter_ffmpeg_progress(args, job.duration, job.spec.timeout, output=partial)


def _check_clips(clips: Sequence[ClipSpan]) -> None:
    for clip in clips:
        if not Path(clip.path).is_file():
            raise MediaError(f"{Path(clip.path).name}: the clip file does not exist")


def _last_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[-1][:200] if lines else type(error).__name__


__all__ = [
    "DEFAULT_TIMEOUT_S", "FONTS_DIR", "FONT_FILE", "FONT_NAME", "FORMATS", "KEYFRAME_INTERVAL_S",
    "MAX_STILL_GAP_S", "MOTION_FPS", "RESOLUTIONS", "STILL_TIMEBASE", "AudioInfo", "Background", "ClipSpan",
    "ComposeProgress", "CompositionResult", "CompositionSpec", "Fit", "PreparedSubtitles", "SubtitleStyle",
    "background_image", "compose_video", "escape_filter_value", "has_filter", "iter_compose", "output_format",
    "parse_color", "parse_resolution", "prepare_subtitles", "probe_audio", "render_background",
    "still_frame_times", "write_sidecar", "write_y4m",
]
