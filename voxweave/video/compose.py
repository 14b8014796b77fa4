"""Composing a narrated video with ffmpeg: a background or clips, the narration, and subtitles.

Responsibilities: render the still background (colour, gradient, picture) once; build one ffmpeg
run that lays the clips or the background under an optional waveform and burned subtitles and muxes
the narration (the video lasts exactly as long as the narration); fall back to an unburned video
with a sidecar subtitle file when burning fails. `iter_compose` yields ComposeProgress events
(closing it stops ffmpeg and removes the partial file); `compose_video` is the same with a callback.

Still content is encoded as variable frame rate: one frame at every subtitle change (to the
millisecond) and at least one a second, instead of 25 identical frames a second. That is what makes
a still-image video cheap (see bench/bench_video.py); moving content (clips, waveform) runs at 25 fps.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pysubs2
import soundfile
from PIL import Image, ImageColor, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

from voxweave.errors import MediaError, OutputError
from voxweave.ffmpeg import atomic_output, ffmpeg_binary, run_ffmpeg
from voxweave.video.progress import EncodeProgress, decoded_duration, iter_ffmpeg_progress

logger = logging.getLogger(__name__)

#: Output sizes by name (width, height).
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160)}
FORMATS = ("mp4", "mov", "webm")
#: Frame rate of moving content (clips, waveform).
MOTION_FPS = 25
#: A still video gets a frame at least this often, besides one at every subtitle change.
MAX_STILL_GAP_S = 1.0
#: Seconds between forced keyframes, so that players can seek in a sparse still video.
KEYFRAME_INTERVAL_S = 4.0
#: Frames of a still video land on this grid (ms): subtitle changes are placed exactly.
STILL_TIMEBASE = 1000
#: Frames at a subtitle change are placed this much after it, so that rounding never shows the old state.
CHANGE_OFFSET_S = 0.001
#: The font shipped in voxweave/data (DejaVu Sans); burned text never depends on system fonts.
FONTS_DIR = Path(__file__).resolve().parents[1] / "data"
FONT_FILE = FONTS_DIR / "DejaVuSans.ttf"
FONT_NAME = "DejaVu Sans"
DEFAULT_TIMEOUT_S = 3600.0
_TO_YUV = "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p"
#: Tags the picture as HD video (BT.709, limited range), which is how every stage converts it.
_BT709 = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"
#: ASS override tags that animate text within a cue: such subtitles need a steady frame rate.
_ANIMATED = re.compile(r"\\(?:k|kf|ko|K|t\(|move|fad|fade)", re.IGNORECASE)

Fit = Literal["contain", "cover"]


@dataclass(frozen=True)
class Background:
    """A solid colour, a vertical gradient (`color` at the top to `gradient_to`), or a picture.

    `image` is a path or the file's bytes (a book cover, an upload); `fit="contain"` shows all of it
    over a blurred copy of itself, `fit="cover"` fills the frame and crops. `caption`, if any, is
    drawn in the middle of a background without a picture (the title of the book).
    """

    color: str = "#101820"
    gradient_to: str | None = None
    image: Path | bytes | None = None
    fit: Fit = "contain"
    caption: str | None = None


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
    #: A name from RESOLUTIONS or (width, height).
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
        if isinstance(self.resolution, str):
            try:
                return RESOLUTIONS[self.resolution.lower()]
            except KeyError:
                choices = ", ".join(RESOLUTIONS)
                raise ValueError(f"unknown resolution {self.resolution!r}: choose from {choices}") from None
        width, height = self.resolution
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"resolution must be positive and even, not {width}x{height}")
        return width, height


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


# --- public API ------------------------------------------------------------------------------------


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
            job = _Job(spec, fmt, size, duration, Path(folder), out_path, narration.codec)
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


def output_format(spec: CompositionSpec, out_path: Path) -> str:
    fmt = (spec.format or out_path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown video format {fmt!r}: choose from {', '.join(FORMATS)}")
    return fmt


@dataclass(frozen=True)
class AudioInfo:
    """What composition needs to know of the narration: its length and, when known, its codec."""

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
                                   capture_output=True, text=True, timeout=60, check=False).stderr
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


# --- backgrounds -----------------------------------------------------------------------------------


def render_background(background: Background, size: tuple[int, int], path: Path) -> Path:
    """Write the still background as a PNG of exactly `size`."""
    background_image(background, size).save(path, format="PNG", compress_level=1)
    return path


def background_image(background: Background, size: tuple[int, int]) -> Image.Image:
    """The still background as an RGB picture of exactly `size`."""
    base = _rgb(background.color)
    if background.image is not None:
        picture = _fit(_open_image(background.image, base), size, background.fit)
    elif background.gradient_to:
        picture = _gradient(base, _rgb(background.gradient_to), size)
    else:
        picture = Image.new("RGB", size, base)
    if background.caption and background.image is None:
        _draw_caption(picture, background.caption)
    return picture


def _rgb(color: str) -> tuple[int, int, int]:
    try:
        return ImageColor.getrgb(color)[:3]
    except ValueError as e:
        raise ValueError(f"not a colour: {color!r} (use a name or #rrggbb)") from e


def _open_image(source: Path | bytes, backdrop: tuple[int, int, int]) -> Image.Image:
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else Path(source)) as raw:
            picture = ImageOps.exif_transpose(raw)
            picture.load()
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise MediaError(f"cannot read the background image: {e}") from e
    if picture.mode in ("RGBA", "LA", "P"):
        flat = Image.new("RGB", picture.size, backdrop)
        flat.paste(picture.convert("RGBA"), mask=picture.convert("RGBA").getchannel("A"))
        return flat
    return picture.convert("RGB")


def _fit(picture: Image.Image, size: tuple[int, int], fit: Fit) -> Image.Image:
    if fit == "cover":
        return ImageOps.fit(picture, size, Image.Resampling.LANCZOS)
    width, height = size
    small = ImageOps.fit(picture, (max(1, width // 16), max(1, height // 16)), Image.Resampling.BILINEAR)
    backdrop = ImageEnhance.Brightness(small.filter(ImageFilter.GaussianBlur(2))).enhance(0.45)
    canvas = backdrop.resize(size, Image.Resampling.BICUBIC)
    shown = ImageOps.contain(picture, size, Image.Resampling.LANCZOS)
    canvas.paste(shown, ((width - shown.width) // 2, (height - shown.height) // 2))
    return canvas


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    rows = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return Image.fromarray(np.repeat(rows, width, axis=1).round().astype(np.uint8), "RGB")


def _draw_caption(picture: Image.Image, caption: str) -> None:
    width, height = picture.size
    font = ImageFont.truetype(str(FONT_FILE), max(12, height // 14))
    draw = ImageDraw.Draw(picture)
    text = caption.strip()
    while text and draw.textlength(text, font=font) > width * 0.9:
        text = text[:-2].rstrip() + "…"
    draw.text((width / 2, height * 0.4), text, font=font, fill="white", anchor="mm",
              stroke_width=max(1, height // 360), stroke_fill="black")


# --- subtitles -------------------------------------------------------------------------------------


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
        primarycolor=pysubs2.Color(*_rgb(style.color)),
        outlinecolor=pysubs2.Color(*_rgb(style.outline_color)),
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


# --- the ffmpeg run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    spec: CompositionSpec
    fmt: str
    size: tuple[int, int]
    duration: float
    work: Path
    out_path: Path
    #: The narration's codec when known: the same codec as the output's is copied, not re-encoded.
    audio_codec: str | None = None


def _can_burn(spec: CompositionSpec, subs: PreparedSubtitles | None, notes: list[str]) -> bool:
    if subs is None or not spec.burn_subtitles:
        return False
    if not has_filter("subtitles"):
        notes.append("This ffmpeg cannot burn subtitles (no libass); the subtitles are in a file beside the video.")
        return False
    return True


def _encode_with_fallback(
    job: _Job, subs: PreparedSubtitles | None, burn: bool, notes: list[str]
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


def _encode(job: _Job, subs: PreparedSubtitles | None, *, burn: bool) -> Iterator[EncodeProgress]:
    """One ffmpeg run: the picture (filtergraph ending in [v]), the narration, maybe a subtitle track."""
    spec = job.spec
    inputs, graph, still = _video_graph(job, subs, burn)
    audio_index = inputs.count("-i")
    inputs += ["-i", _abs(spec.narration)]
    outputs = ["-map", "[v]", "-map", f"{audio_index}:a:0"]
    if subs is not None and not burn:
        inputs += ["-i", _abs(subs.srt)]
        outputs += ["-map", f"{audio_index + 1}:s:0", "-c:s", "webvtt" if job.fmt == "webm" else "mov_text"]
    outputs += _codec_args(job.fmt, sparse=still and spec.still_fps is None, still=still)
    outputs += _audio_args(job.fmt, job.audio_codec)
    outputs += ["-t", f"{job.duration:.3f}"]
    if spec.title:
        outputs += ["-metadata", f"title={spec.title}"]
    with atomic_output(job.out_path) as partial:
        args = [*inputs, "-filter_complex", graph, *outputs, "-f", job.fmt, str(partial)]
        yield from iter_ffmpeg_progress(args, job.duration, spec.timeout, output=partial)


def _video_graph(job: _Job, subs: PreparedSubtitles | None, burn: bool) -> tuple[list[str], str, bool]:
    """Input arguments, the filtergraph ending in [v], and whether the picture is still."""
    spec, size = job.spec, job.size
    moving = bool(spec.clips) or spec.waveform or (burn and subs is not None and subs.animated)
    if spec.clips:
        inputs, chains = _clip_inputs(spec, size, job.duration)
    else:
        background = background_image(spec.background, size)
        fps = MOTION_FPS if moving else spec.still_fps
        if fps:
            background.save(job.work / "background.png", format="PNG", compress_level=1)
            inputs = ["-i", _abs(job.work / "background.png")]
            chains = [f"[0:v]{_TO_YUV},loop=loop=-1:size=1,setpts=N/{fps:g}/TB[base]"]
        else:
            inputs = ["-f", "concat", "-i", _abs(_still_frames(background, job.work, job.duration, subs))]
            chains = ["[0:v]null[base]"]
    label = "base"
    if spec.waveform:
        chains += _waveform(inputs.count("-i"), size, spec.waveform_color, label)
        label = "waved"
    burning = [_subtitles_filter(subs.ass)] if burn and subs is not None else []
    chains.append(f"[{label}]" + ",".join([*burning, "format=yuv420p", _BT709]) + "[v]")
    return inputs, ";".join(chains), not moving


def _subtitles_filter(ass: Path) -> str:
    """libass burning with the shipped font folder; both paths escaped for the filtergraph."""
    return f"subtitles=filename={escape_filter_value(_abs(ass))}:fontsdir={escape_filter_value(str(FONTS_DIR))}"


def _check_clips(clips: Sequence[ClipSpan]) -> None:
    for clip in clips:
        if not Path(clip.path).is_file():
            raise MediaError(f"{Path(clip.path).name}: the clip file does not exist")


def _clip_inputs(spec: CompositionSpec, size: tuple[int, int], duration: float) -> tuple[list[str], list[str]]:
    """Each clip cut (looped, or its last frame held) to whole frames of its span, then concatenated."""
    width, height = size
    starts = [0.0] + [max(0.0, c.start) for c in spec.clips[1:]]
    ends = starts[1:] + [duration]
    inputs: list[str] = []
    chains: list[str] = []
    for clip, start, end in zip(spec.clips, starts, ends):
        frames = round(min(end, duration) * MOTION_FPS) - round(start * MOTION_FPS)
        if frames <= 0:
            continue
        seconds = frames / MOTION_FPS
        index = inputs.count("-i")
        loop = ["-stream_loop", "-1"] if spec.clip_fill == "loop" else []
        inputs += [*loop, "-t", f"{seconds + 1:.3f}", "-i", _abs(clip.path)]
        hold = f",tpad=stop_mode=clone:stop_duration={seconds:.3f}" if spec.clip_fill == "hold" else ""
        chains.append(
            f"[{index}:v]fps={MOTION_FPS}{hold},scale={width}:{height}:force_original_aspect_ratio=increase"
            f":out_color_matrix=bt709:out_range=tv,crop={width}:{height},setsar=1,format=yuv420p,"
            f"trim=end_frame={frames},setpts=PTS-STARTPTS[c{len(chains)}]"
        )
    if not chains:
        raise ValueError("no clip covers any of the narration")
    chains.append("".join(f"[c{i}]" for i in range(len(chains))) + f"concat=n={len(chains)}:v=1:a=0[base]")
    return inputs, chains


def _still_frames(background: Image.Image, work: Path, duration: float, subs: PreparedSubtitles | None) -> Path:
    """A concat list showing the background once per change: sparse frames at exact times."""
    frame = write_y4m(background, work / "background.y4m")
    times = still_frame_times(subs.changes if subs else (), duration)
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


def _waveform(audio_index: int, size: tuple[int, int], color: str, base: str) -> list[str]:
    width, height = size
    r, g, b = _rgb(color)
    wave_height = (height // 5) // 2 * 2
    return [
        f"[{audio_index}:a]showwaves=s={width}x{wave_height}:mode=cline:rate={MOTION_FPS}:scale=sqrt:draw=full"
        f":colors=0x{r:02x}{g:02x}{b:02x}@0.8,scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[wave]",
        # blending in YUV: converting the whole frame to RGB for the overlay costs 4x more
        f"[{base}][wave]overlay=0:{int(height * 0.6)}:shortest=1:format=yuv420[waved]",
    ]


def _codec_args(fmt: str, sparse: bool, still: bool) -> list[str]:
    """Video encoder settings: quick on 2 cores, sharp for still pictures, seekable."""
    keyframes = ["-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_INTERVAL_S:g})"]
    timing = ["-fps_mode", "vfr", "-enc_time_base:v", f"1:{STILL_TIMEBASE}"] if sparse else []
    if fmt == "webm":
        video = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
                 "-b:v", "0", "-crf", "32"]
        container: list[str] = []
    else:
        video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", *(["-tune", "stillimage"] if still else []),
                 *(["-bf", "0"] if sparse else [])]  # without B-frames the last frame keeps its 1 ms
        container = ["-movflags", "+faststart"]
    return [*video, "-pix_fmt", "yuv420p", *keyframes, *timing, *container]


def _audio_args(fmt: str, codec: str | None) -> list[str]:
    """Copy narration already in the container's codec (an m4b into mp4); else encode it.

    ffmpeg's AAC "fast" coder: 3x less CPU than the default on speech-like audio, same SNR at 160k.
    """
    if codec == ("opus" if fmt == "webm" else "aac"):
        return ["-c:a", "copy"]
    if fmt == "webm":
        return ["-c:a", "libopus", "-b:a", "96k"]
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "160k"]


# --- small helpers ---------------------------------------------------------------------------------


def _abs(path: Path | str) -> str:
    """An absolute path, so that ffmpeg never reads `name:` as a protocol."""
    return os.path.abspath(path)


def _last_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[-1][:200] if lines else type(error).__name__
