"""The book's audio track: streamed to a WAV file on disk, then encoded, probed and decoded with ffmpeg.

TrackWriter appends speech and silence to one mono 16-bit WAV without holding the book in memory and
knows its position exactly (frames written / sample rate). encode_audio turns that WAV into the
delivered format with tags, chapters and a cover. read_chapters, read_metadata,
media_duration and load_audio read files back with ffmpeg alone (no ffprobe).
"""

from __future__ import annotations

import errno
import re
import struct
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import ceil
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, TypeVar

import numpy as np

from voxweave.errors import MediaError, OutputError
from voxweave.ffmpeg import DEFAULT_TIMEOUT_S, atomic_output, ffmpeg_binary, run_ffmpeg

_T = TypeVar("_T")

#: The sample rate of the narration track (Kokoro's native rate); other rates are resampled to it.
TRACK_SAMPLE_RATE = 24_000
#: Rate at which load_audio decodes when the caller has no preference.
DEFAULT_LOAD_SAMPLE_RATE = TRACK_SAMPLE_RATE
#: The track is mono signed 16-bit PCM.
TRACK_CHANNELS = 1
TRACK_SAMPLE_BYTES = 2
PCM16_SCALE = 32767.0
#: Formats encode_audio delivers.
AUDIO_FORMATS = ("wav", "mp3", "flac", "opus", "m4b")
#: Limits for reading a file's summary, and for decoding a whole file.
PROBE_TIMEOUT_S = 60.0
DECODE_TIMEOUT_S = 600.0
#: Silence is written in blocks of this many frames, so a long pause costs no memory.
SILENCE_BLOCK_FRAMES = 65_536

# Resampling: Kaiser-windowed sinc. Zero crossings per side, window shape, and passband edge as a
# fraction of the lower Nyquist frequency (the rest is the transition band).
_SINC_ZERO_CROSSINGS = 16
_KAISER_BETA = 8.6
_ROLLOFF = 0.94
_RESAMPLE_BLOCK = 4096

# A RIFF size field holds 32 bits; past that the header becomes RF64 (EBU Tech 3306).
_WAV_LIMIT_BYTES = 0xFFFF_FFFF
_WAV_HEADER_BYTES = 80  # RIFF(12) + JUNK(8+28, becomes ds64) + fmt(8+16) + data header(8)
_WAV_DATA_SIZE_OFFSET = 76


# --------------------------------------------------------------------------- streaming WAV track


class _WavStream:
    """Mono PCM16 frames appended to an open binary file; sizes are patched into the header on finish."""

    def __init__(self, handle: BinaryIO, sample_rate: int) -> None:
        self._handle = handle
        self.sample_rate = sample_rate
        self.data_bytes = 0
        handle.write(self._header(riff_id=b"RIFF", riff_size=0, junk_id=b"JUNK", junk=bytes(28), data_size=0))

    def _header(self, *, riff_id: bytes, riff_size: int, junk_id: bytes, junk: bytes, data_size: int) -> bytes:
        block_align = TRACK_CHANNELS * TRACK_SAMPLE_BYTES
        byte_rate = self.sample_rate * block_align
        fmt = struct.pack(
            "<HHIIHH", 1, TRACK_CHANNELS, self.sample_rate, byte_rate, block_align, 8 * TRACK_SAMPLE_BYTES
        )
        return b"".join([
            riff_id, struct.pack("<I", riff_size), b"WAVE",
            junk_id, struct.pack("<I", len(junk)), junk,
            b"fmt ", struct.pack("<I", len(fmt)), fmt,
            b"data", struct.pack("<I", data_size),
        ])  # fmt: skip

    def append(self, pcm: np.ndarray) -> None:
        self._handle.write(pcm.astype("<i2", copy=False).tobytes())
        self.data_bytes += pcm.size * TRACK_SAMPLE_BYTES

    def finish(self) -> None:
        riff_size = _WAV_HEADER_BYTES - 8 + self.data_bytes
        self._handle.seek(0)
        if riff_size <= _WAV_LIMIT_BYTES:
            self._handle.write(b"RIFF" + struct.pack("<I", riff_size))
            self._handle.seek(_WAV_DATA_SIZE_OFFSET)
            self._handle.write(struct.pack("<I", self.data_bytes))
        else:
            frames = self.data_bytes // (TRACK_CHANNELS * TRACK_SAMPLE_BYTES)
            ds64 = struct.pack("<QQQI", riff_size, self.data_bytes, frames, 0)
            self._handle.write(
                self._header(riff_id=b"RF64", riff_size=0xFFFF_FFFF, junk_id=b"ds64", junk=ds64, data_size=0xFFFF_FFFF)
            )
        self._handle.flush()


class TrackWriter:
    """Stream mono audio into a WAV file at a fixed sample rate; the file appears only when closed cleanly.

    Memory stays flat however long the book is. `position` is exact: frames written / sample_rate.
    On an exception inside the `with` block the partial file is removed.
    """

    def __init__(self, path: Path, sample_rate: int = TRACK_SAMPLE_RATE) -> None:
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, not {sample_rate}")
        self.path = Path(path)
        self.sample_rate = sample_rate
        self._stack: ExitStack | None = None
        self._stream: _WavStream | None = None
        self._frames = 0

    def __enter__(self) -> TrackWriter:
        with ExitStack() as stack:
            temporary = stack.enter_context(atomic_output(self.path))
            handle = stack.enter_context(self._guard(lambda: open(temporary, "wb")))
            self._frames = 0
            self._stream = self._guard(lambda: _WavStream(handle, self.sample_rate))
            self._stack = stack.pop_all()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        stack, stream = self._stack, self._stream
        self._stack = self._stream = None
        if stack is None or stream is None:
            return
        if error is None:
            try:
                self._guard(stream.finish)
                self._guard(stack.close)  # closes the file, then renames it onto self.path
                return
            except OutputError as failure:
                _discard(stack, failure)
                raise
        _discard(stack, error)

    @property
    def frames(self) -> int:
        """Frames (samples of the mono track) written so far; kept after the writer closes."""
        return self._frames

    @property
    def position(self) -> float:
        """Seconds written so far, exactly frames / sample_rate."""
        return self.frames / self.sample_rate

    def write(self, samples: np.ndarray, sample_rate: int) -> tuple[float, float]:
        """Append float samples in [-1, 1] (mono, or frames x channels) recorded at `sample_rate`.

        Returns the (start, end) seconds they occupy on the track.
        """
        stream = self._open_stream()
        mono = _as_mono_float(samples)
        if sample_rate != self.sample_rate:
            mono = resample(mono, sample_rate, self.sample_rate)
        return self._append(stream, _to_pcm16(mono))

    def write_silence(self, seconds: float) -> tuple[float, float]:
        """Append `seconds` of silence (rounded to whole frames). Returns its (start, end) on the track."""
        if seconds < 0:
            raise ValueError(f"silence cannot last {seconds} s")
        stream = self._open_stream()
        start = self.position
        remaining = round(seconds * self.sample_rate)
        block = np.zeros(min(remaining, SILENCE_BLOCK_FRAMES), dtype=np.int16)
        while remaining > 0:
            self._append(stream, block[: min(remaining, len(block))])
            remaining -= min(remaining, len(block))
        return start, self.position

    def _append(self, stream: _WavStream, pcm: np.ndarray) -> tuple[float, float]:
        start = self.position
        self._guard(lambda: stream.append(pcm))
        self._frames += len(pcm)
        return start, self.position

    def _open_stream(self) -> _WavStream:
        if self._stream is None:
            raise RuntimeError("TrackWriter is not open: use it in a `with` block")
        return self._stream

    def _guard(self, action: Callable[[], _T]) -> _T:
        """Run one file operation, turning an OSError into an OutputError that names the track."""
        try:
            return action()
        except OSError as e:
            raise self._output_error(e) from e

    def _output_error(self, e: OSError) -> OutputError:
        if e.errno == errno.ENOSPC:
            return OutputError(f"disk full while writing the audio track {self.path}")
        return OutputError(f"cannot write the audio track {self.path}: {e.strerror or e}")


def _discard(stack: ExitStack, error: BaseException) -> None:
    """Close the track's file and remove it; a second failure while doing so must not hide `error`."""
    with suppress(OSError):
        stack.__exit__(type(error), error, error.__traceback__)


def _as_mono_float(samples: np.ndarray) -> np.ndarray:
    array = np.asarray(samples, dtype=np.float32)
    if array.ndim == 2:
        array = array.mean(axis=1, dtype=np.float32)
    elif array.ndim != 1:
        raise ValueError(f"samples must be mono or frames x channels, not shape {array.shape}")
    return np.nan_to_num(array, nan=0.0, posinf=1.0, neginf=-1.0)


def _to_pcm16(samples: np.ndarray) -> np.ndarray:
    return np.round(np.clip(samples, -1.0, 1.0) * PCM16_SCALE).astype(np.int16)


# --------------------------------------------------------------------------- resampling


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Band-limited resampling (Kaiser-windowed sinc) of mono float samples.

    The result has exactly round(len(samples) * target_rate / source_rate) samples; the signal
    outside the input is taken as silence.
    """
    if source_rate <= 0 or target_rate <= 0:
        raise ValueError(f"sample rates must be positive, not {source_rate} and {target_rate}")
    samples = np.asarray(samples, dtype=np.float32)
    if source_rate == target_rate or len(samples) == 0:
        return samples
    ratio = Fraction(target_rate, source_rate)
    up, down = ratio.numerator, ratio.denominator
    table, offsets = _sinc_table(up, down)
    half = -int(offsets[0]) + 1
    padded = np.concatenate([np.zeros(half, np.float32), samples, np.zeros(half + 2, np.float32)])
    out = np.empty(round(len(samples) * ratio), dtype=np.float32)
    for first in range(0, len(out), _RESAMPLE_BLOCK):
        position = np.arange(first, min(len(out), first + _RESAMPLE_BLOCK), dtype=np.int64) * down
        base, phase = np.divmod(position, up)
        window = padded[(base + half)[:, None] + offsets[None, :]]
        out[first : first + len(position)] = np.einsum("ij,ij->i", window, table[phase])
    return out


@lru_cache(maxsize=8)
def _sinc_table(up: int, down: int) -> tuple[np.ndarray, np.ndarray]:
    """Filter taps for every output phase (up x taps) and the source offsets they apply to."""
    cutoff = _ROLLOFF * min(1.0, up / down)
    half = ceil(_SINC_ZERO_CROSSINGS / cutoff)
    offsets = np.arange(-half + 1, half + 1)
    distance = np.arange(up)[:, None] / up - offsets[None, :]
    taper = np.i0(_KAISER_BETA * np.sqrt(np.clip(1.0 - (distance / half) ** 2, 0.0, None))) / np.i0(_KAISER_BETA)
    return (cutoff * np.sinc(cutoff * distance) * taper).astype(np.float32), offsets


# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class ChapterMark:
    """A chapter of the finished track, in seconds."""

    title: str
    start: float
    end: float

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"chapter {self.title!r} has an impossible span {self.start}..{self.end}")


@dataclass(frozen=True)
class _FormatSpec:
    muxer: str
    codec: str
    default_bitrate: str | None  # None: lossless, bitrate ignored
    chapters: bool  # the container keeps chapter marks that read back correctly
    cover: bool  # the container takes an attached picture
    extra: tuple[str, ...] = ()


_FORMATS: dict[str, _FormatSpec] = {
    "wav": _FormatSpec("wav", "pcm_s16le", None, chapters=False, cover=False, extra=("-rf64", "auto")),
    "mp3": _FormatSpec("mp3", "libmp3lame", "64k", chapters=True, cover=True, extra=("-id3v2_version", "3")),
    "flac": _FormatSpec("flac", "flac", None, chapters=False, cover=True),
    "opus": _FormatSpec("opus", "libopus", "32k", chapters=False, cover=False),
    "m4b": _FormatSpec("ipod", "aac", "64k", chapters=True, cover=True, extra=("-movflags", "+faststart")),
}
assert tuple(_FORMATS) == AUDIO_FORMATS

#: Tag names people use for audiobooks, mapped to the tags players read.
_TAG_ALIASES = {"author": ("artist", "album_artist"), "narrator": ("composer",)}
_COVER_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
_NO_SPACE = "No space left on device"


def encode_audio(
    wav_path: Path,
    out_path: Path,
    fmt: str,
    *,
    chapters: Sequence[ChapterMark] = (),
    metadata: Mapping[str, str] | None = None,
    cover: bytes | None = None,
    bitrate: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Path:
    """Encode the track at `wav_path` into `fmt` at `out_path` (which appears only when complete).

    Metadata keys are ffmpeg tag names (title, artist, album, genre, date, language...), plus
    `author` (artist and album artist) and `narrator` (composer). Chapters are kept by m4b and mp3;
    a JPEG or PNG cover by m4b, mp3 and flac. Other formats ignore what they cannot hold.
    """
    spec = _format_spec(fmt)
    metadata = dict(metadata or {})
    with tempfile.TemporaryDirectory(prefix="voxweave-encode-") as scratch:
        tags_file = Path(scratch) / "metadata.txt"
        tags_file.write_text(_ffmetadata(metadata, chapters if spec.chapters else ()), encoding="utf-8")
        cover_file = _write_cover(cover, Path(scratch)) if cover is not None and spec.cover else None
        args = ["-i", _file_arg(wav_path), "-f", "ffmetadata", "-i", str(tags_file)]
        if cover_file is not None:
            args += ["-i", str(cover_file)]
        args += ["-map", "0:a:0", "-map_metadata", "1", "-map_chapters", "1" if spec.chapters else "-1"]
        if cover_file is not None:
            args += ["-map", "2:v:0", "-c:v", "copy", "-disposition:v:0", "attached_pic"]
            args += ["-metadata:s:v:0", "comment=Cover (front)"]
        args += ["-c:a", spec.codec, *spec.extra]
        if spec.default_bitrate is not None:
            args += ["-b:a", bitrate or spec.default_bitrate]
        if metadata.get("language"):
            args += ["-metadata:s:a:0", f"language={metadata['language']}"]
        with atomic_output(Path(out_path)) as temporary:
            try:
                run_ffmpeg([*args, "-f", spec.muxer, _file_arg(temporary)], timeout)
            except MediaError as e:
                if _NO_SPACE in str(e):
                    raise OutputError(f"disk full while writing {out_path}") from e
                raise
    return Path(out_path)


def _format_spec(fmt: str) -> _FormatSpec:
    try:
        return _FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown audio format {fmt!r}; choose one of {', '.join(AUDIO_FORMATS)}") from None


def _ffmetadata(metadata: Mapping[str, str], chapters: Sequence[ChapterMark]) -> str:
    """An FFMETADATA1 document: global tags, then one [CHAPTER] per mark in milliseconds."""
    lines = [";FFMETADATA1"]
    for key, value in metadata.items():
        for tag in _TAG_ALIASES.get(key.lower(), (key,)):
            if str(value):
                lines.append(f"{_escape(tag)}={_escape(str(value))}")
    previous = 0.0
    for mark in chapters:
        if mark.start < previous:
            raise ValueError(f"chapters must be in order; {mark.title!r} starts at {mark.start} s")
        previous = mark.start
        lines += ["", "[CHAPTER]", "TIMEBASE=1/1000", f"START={round(mark.start * 1000)}"]
        lines += [f"END={round(mark.end * 1000)}", f"title={_escape(mark.title)}"]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)


def _write_cover(cover: bytes, folder: Path) -> Path:
    for magic, suffix in _COVER_MAGIC.items():
        if cover.startswith(magic):
            path = folder / f"cover.{suffix}"
            path.write_bytes(cover)
            return path
    raise ValueError("the cover must be a JPEG or PNG image")


def _file_arg(path: Path | str) -> str:
    """An absolute path, so that a name starting with '-' is never read as an option."""
    return str(Path(path).absolute())


# --------------------------------------------------------------------------- reading files back

_DURATION = re.compile(r"^\s*Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", re.MULTILINE)
_OUT_TIME_US = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)


def _describe(path: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """ffmpeg's view of a file: stdout is its FFMETADATA (chapters on the file's own clock), stderr its summary."""
    if not Path(path).is_file():
        raise MediaError(f"{path} does not exist")
    return run_ffmpeg(["-copyts", "-i", _file_arg(path), "-f", "ffmetadata", "-"], timeout)


def read_chapters(path: Path, *, timeout: float = PROBE_TIMEOUT_S) -> list[ChapterMark]:
    """The chapter marks stored in a media file, in order (empty when it has none)."""
    return _parse_ffmetadata(_describe(path, timeout).stdout)[1]


def read_metadata(path: Path, *, timeout: float = PROBE_TIMEOUT_S) -> dict[str, str]:
    """The global tags of a media file (title, artist, album...) as ffmpeg names them."""
    return _parse_ffmetadata(_describe(path, timeout).stdout)[0]


def _parse_ffmetadata(text: str) -> tuple[dict[str, str], list[ChapterMark]]:
    tags: dict[str, str] = {}
    chapters: list[ChapterMark] = []
    section: dict[str, str] | None = tags
    for line in [*_metadata_lines(text), "[END]"]:
        if line.startswith("["):
            if section is not None and section is not tags:
                chapters.append(_chapter_from(section))
            section = {} if line == "[CHAPTER]" else None
        elif section is not None and "=" in line:
            key, value = _split_unescaped(line)
            section[key] = value
    return tags, chapters


def _metadata_lines(text: str) -> list[str]:
    """FFMETADATA lines, with escaped newlines kept inside their line."""
    return [line for line in re.split(r"(?<!\\)\n", text) if line and not line.startswith((";", "#"))]


def _split_unescaped(line: str) -> tuple[str, str]:
    match = re.match(r"((?:[^=\\]|\\.)*)=(.*)", line, flags=re.DOTALL)
    assert match is not None  # the caller checked for "="
    return _unescape(match.group(1)), _unescape(match.group(2))


def _chapter_from(section: Mapping[str, str]) -> ChapterMark:
    try:
        base = Fraction(section.get("TIMEBASE", "1/1000"))
        start, end = int(section["START"]) * base, int(section["END"]) * base
    except (KeyError, ValueError, ZeroDivisionError) as e:
        raise MediaError(f"ffmpeg reported a malformed chapter: {dict(section)}") from e
    return ChapterMark(section.get("title", ""), float(start), float(max(start, end)))


def media_duration(path: Path, *, exact: bool = False, timeout: float = DECODE_TIMEOUT_S) -> float:
    """Duration in seconds of the first audio stream.

    By default from the container's header (to 0.01 s); with `exact`, or when the header has none,
    by decoding the whole stream (to the microsecond, takes a moment for a long book).
    """
    if not exact:
        match = _DURATION.search(_describe(path, timeout).stderr)
        if match:
            hours, minutes, seconds = match.groups()
            return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    elif not Path(path).is_file():
        raise MediaError(f"{path} does not exist")
    progress = run_ffmpeg(
        ["-i", _file_arg(path), "-map", "0:a:0", "-f", "null", "-progress", "pipe:1", "-nostats", "-"], timeout
    )
    times = _OUT_TIME_US.findall(progress.stdout)
    if not times:
        raise MediaError(f"ffmpeg reported no duration for {path}")
    return int(times[-1]) / 1_000_000


def load_audio(
    path: Path, sample_rate: int = DEFAULT_LOAD_SAMPLE_RATE, *, timeout: float = DECODE_TIMEOUT_S
) -> np.ndarray:
    """Decode the first audio stream of any file ffmpeg reads to mono float32 at `sample_rate`."""
    if not Path(path).is_file():
        raise MediaError(f"{path} does not exist")
    args = ["-i", _file_arg(path), "-map", "0:a:0", "-ac", "1", "-ar", str(sample_rate)]
    raw = _run_ffmpeg_bytes([*args, "-c:a", "pcm_f32le", "-f", "f32le", "-"], timeout)
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def _run_ffmpeg_bytes(args: Sequence[str], timeout: float) -> bytes:
    """Like ffmpeg.run_ffmpeg, for commands whose stdout is binary (decoded samples)."""
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-y", *args]
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise MediaError(f"ffmpeg did not finish within {timeout:.0f} s") from e
    except OSError as e:
        raise MediaError(f"cannot start ffmpeg: {e}") from e
    if result.returncode != 0:
        tail = "\n".join(result.stderr.decode("utf-8", "replace").strip().splitlines()[-6:])
        raise MediaError(f"ffmpeg failed (exit {result.returncode}): {tail}")
    return result.stdout
