"""Subtitles from measured timings: cue building (pure) and SRT/VTT/ASS writers (pysubs2).

The pipeline gives one TimedText per spoken sentence with the span it occupies on the final track.
build_cues turns those into readable cues (long sentences split at the best boundaries, at most two
lines); write_subtitles writes cues in a format. Timing is never guessed from text alone when the
audio measured it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Literal

import pysubs2

from voxweave.errors import OutputError
from voxweave.ffmpeg import atomic_output
from voxweave.tts.base import WordTiming

SUBTITLE_FORMATS = ("srt", "vtt", "ass")
SubtitleFormat = Literal["srt", "vtt", "ass"]

#: Readability limits for one cue: characters, seconds on screen, characters per line (two lines).
DEFAULT_MAX_CHARS = 84
DEFAULT_MAX_SECONDS = 6.0
DEFAULT_LINE_WIDTH = 42
#: Splitting never makes a cue shorter than this (a segment too short to split stays whole).
MIN_CUE_SECONDS = 0.001
#: Segments may touch; an overlap up to this (rounding of sample counts) is absorbed, a larger one is an error.
OVERLAP_TOLERANCE_S = 0.01

# Where a long sentence is cut: after a sentence end, after a clause mark, else at any space. The
# penalties are weighed against the cost of one more part and against unbalanced parts.
_SENTENCE_END = frozenset(".!?…")
_CLAUSE_END = frozenset(",;:—–")
_CLOSERS = frozenset("\"'”’»)]")
_CUT_PENALTY = {"sentence": 0.0, "clause": 0.3, "space": 1.0}
_PART_COST = 0.5
_BALANCE_WEIGHT = 1.0
# The same preference when wrapping a cue onto two lines, in characters of imbalance.
_WRAP_PENALTY_CHARS = {"sentence": 0, "clause": 2, "space": 4}

# ASS look: sizes as fractions of the video; white text, dark outline and shadow, bottom centre.
DEFAULT_FONT = "DejaVu Sans"
_FONT_OF_HEIGHT = 0.05
_MEAN_GLYPH_WIDTH_EM = 0.6  # a generous average glyph width, to keep a full line on screen
_USABLE_WIDTH = 0.9
_OUTLINE_OF_FONT = 0.08
_MARGIN_OF_SIZE = 0.05


@dataclass(frozen=True)
class TimedText:
    """One spoken sentence (or piece of one) and the span it occupies on the final track, in seconds.

    `words`, when the engine measured them, are timed on the same clock (seconds on the track).
    """

    text: str
    start: float
    end: float
    words: tuple[WordTiming, ...] | None = None

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"impossible span {self.start}..{self.end} for {self.text[:40]!r}")

    @classmethod
    def placed(cls, text: str, span: tuple[float, float], words: Sequence[WordTiming] | None = None) -> TimedText:
        """`text` spoken over `span` of the track (as TrackWriter.write returns it); `words` are timed
        from the start of their Speech and are moved onto the track, clamped to the span."""
        start, end = span
        if words is None:
            return cls(text, start, end)
        placed = tuple(
            WordTiming(w.word, min(end, start + max(0.0, w.start)), min(end, start + max(0.0, w.end))) for w in words
        )
        return cls(text, start, end, placed)


@dataclass(frozen=True)
class Cue:
    """One subtitle on screen from `start` to `end` (seconds); `text` holds at most one line break."""

    start: float
    end: float
    text: str

    def __post_init__(self) -> None:
        if not self.end > self.start >= 0:
            raise ValueError(f"a cue must end after it starts: {self.start}..{self.end}")


# --------------------------------------------------------------------------- building cues


def build_cues(
    segments: Sequence[TimedText],
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    line_width: int = DEFAULT_LINE_WIDTH,
) -> list[Cue]:
    """Readable cues for `segments` (in track order): one per segment, or several for a long one.

    Cues rise monotonically, never overlap, stay inside their segment's span and keep all its text
    in order. A split part is timed by its words when they were measured, else by its share of
    characters. A segment with no duration (nothing was heard) gets no cue. Raises ValueError if
    segments overlap by more than OVERLAP_TOLERANCE_S or go back in time.
    """
    cues: list[Cue] = []
    previous_end = 0.0
    for segment in segments:
        text = " ".join(segment.text.split())
        if not text:
            continue
        if segment.start < previous_end - OVERLAP_TOLERANCE_S:
            raise ValueError(
                f"segment {text[:40]!r} starts at {segment.start} s, before the last ended ({previous_end} s)"
            )
        start = max(segment.start, previous_end)
        if segment.end <= start:
            continue
        limit = min(max_chars, len(text) * max_seconds / (segment.end - start))
        cuts = _cut_positions(text, max(limit, 1.0))
        times = [start, *_cut_times(text, cuts, start, segment.end, segment.words), segment.end]
        if not _distinct(times):
            cuts, times = [], [start, segment.end]  # too short to split into distinct cues
        bounds = [0, *(cut + 1 for cut in cuts), len(text) + 1]
        for k in range(len(times) - 1):
            piece = text[bounds[k] : bounds[k + 1] - 1]
            cues.append(Cue(times[k], times[k + 1], _wrap(piece, line_width)))
        previous_end = segment.end
    return cues


def _cut_positions(text: str, limit: float) -> list[int]:
    """Indices of the spaces where `text` is best cut into parts of at most `limit` characters.

    Dynamic programming over the spaces: each part costs a little (fewer parts are better), its
    squared fill (balanced parts are better) and the kind of its cut (punctuation is better). A word
    longer than the limit stands alone.
    """
    if len(text) <= limit:
        return []
    nodes = [-1, *(i for i, char in enumerate(text) if char == " "), len(text)]
    best = [0.0] + [math.inf] * (len(nodes) - 1)
    back = [0] * len(nodes)
    for b in range(1, len(nodes)):
        cut_cost = _CUT_PENALTY[_boundary_kind(text, nodes[b])] if b < len(nodes) - 1 else 0.0
        for a in range(b - 1, -1, -1):
            length = nodes[b] - nodes[a] - 1
            if length > limit and a < b - 1:
                break
            cost = best[a] + _PART_COST + _BALANCE_WEIGHT * (length / limit) ** 2 + cut_cost
            if cost < best[b]:
                best[b], back[b] = cost, a
    cuts, b = [], back[-1]
    while b > 0:
        cuts.append(nodes[b])
        b = back[b]
    return cuts[::-1]


def _boundary_kind(text: str, space: int) -> str:
    """What precedes the space at `space`: the end of a sentence, of a clause, or just a word."""
    i = space - 1
    while i > 0 and text[i] in _CLOSERS:
        i -= 1
    if text[i] in _SENTENCE_END:
        return "sentence"
    if text[i] in _CLAUSE_END or text[space + 1 : space + 2] in _CLAUSE_END:
        return "clause"
    return "space"


def _cut_times(
    text: str, cuts: list[int], start: float, end: float, words: tuple[WordTiming, ...] | None
) -> list[float]:
    """When the part after each cut begins: at its first measured word, else by share of characters."""
    by_share = [start + (end - start) * (cut + 1) / (len(text) + 1) for cut in cuts]
    if not cuts or not words:
        return by_share
    spoken = [w.start for w in words if _is_word(w.word)]
    written = [token for token in text.split(" ") if _is_word(token)]
    if not spoken or not written:
        return by_share
    times = []
    for cut in cuts:
        before = sum(1 for token in text[:cut].split(" ") if _is_word(token))
        index = before if len(spoken) == len(written) else round(before * len(spoken) / len(written))
        times.append(spoken[min(index, len(spoken) - 1)])
    return times if _distinct([start, *times, end]) else by_share


def _distinct(times: list[float]) -> bool:
    """Whether every cue between consecutive `times` lasts at least MIN_CUE_SECONDS."""
    return all(b - a >= MIN_CUE_SECONDS for a, b in pairwise(times))


def _is_word(token: str) -> bool:
    return any(char.isalnum() for char in token)


def _wrap(text: str, line_width: int) -> str:
    """`text` on one line, or on two balanced lines when longer than `line_width`."""
    if len(text) <= line_width:
        return text
    spaces = [i for i, char in enumerate(text) if char == " "]
    if not spaces:
        return text
    cut = min(
        spaces,
        key=lambda i: max(i, len(text) - i - 1) + _WRAP_PENALTY_CHARS[_boundary_kind(text, i)],
    )
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def word_cues(segments: Sequence[TimedText]) -> list[Cue]:
    """One cue per measured word, punctuation tokens left out (segments without word timings give none).

    Karaoke ASS (\\k tags) will build on the same word timings.
    """
    words = [w for segment in segments for w in (segment.words or ()) if _is_word(w.word)]
    cues: list[Cue] = []
    for k, word in enumerate(words):
        start = max(word.start, cues[-1].end if cues else 0.0)
        end = min(word.end, words[k + 1].start) if k + 1 < len(words) else word.end
        if end > start:
            cues.append(Cue(start, end, word.word.strip()))
    return cues


# --------------------------------------------------------------------------- writing files


def write_subtitles(
    cues: Sequence[Cue],
    path: Path,
    fmt: SubtitleFormat,
    *,
    title: str | None = None,
    font: str = DEFAULT_FONT,
    font_size: int | None = None,
    video_size: tuple[int, int] = (1280, 720),
) -> Path:
    """Write `cues` to `path` as SRT, WebVTT or ASS; the file appears only when complete.

    ASS gets a readable style for burning into video: PlayResX/Y = `video_size`, white text with a
    dark outline at the bottom centre, `font_size` by default about a twentieth of the height (smaller
    when a full line would not fit the width). `title` goes into ASS's script info.
    """
    if fmt not in SUBTITLE_FORMATS:
        raise ValueError(f"unknown subtitle format {fmt!r}; choose one of {', '.join(SUBTITLE_FORMATS)}")
    subs = pysubs2.SSAFile()
    for cue in cues:
        text = _event_text(cue.text, fmt)
        subs.append(pysubs2.SSAEvent(start=milliseconds(cue.start), end=milliseconds(cue.end), text=text))
    if fmt == "ass":
        _style_for_video(subs, title, font, font_size, video_size)
        content = subs.to_string("ass", header_notice="Written by VoxWeave")
    else:
        content = subs.to_string(fmt, keep_ssa_tags=True)  # the text is plain: nothing to interpret
    return write_subtitle_file(path, content)


def write_subtitle_file(path: Path, content: str) -> Path:
    """Write a finished subtitle file as UTF-8 with LF line ends; it appears only when complete."""
    path = Path(path)
    try:
        with atomic_output(path) as temporary:
            temporary.write_text(content, encoding="utf-8", newline="\n")
    except OSError as e:
        raise OutputError(f"cannot write subtitles {path}: {e.strerror or e}") from e
    return path


def milliseconds(seconds: float) -> int:
    """Seconds as the whole milliseconds pysubs2 counts in."""
    return round(seconds * 1000)


def escape_text(text: str, fmt: str) -> str:
    """Plain text in a format's event syntax: WebVTT escapes markup; ASS has no escape for braces or
    backslashes, so look-alikes stand in for them; SRT takes it as is."""
    if fmt == "vtt":
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if fmt == "ass":
        return text.replace("\\", "\u2216").replace("{", "(").replace("}", ")")
    return text


def _event_text(text: str, fmt: str) -> str:
    """Plain cue text as one event: escaped, its line breaks as the \\N every format reads."""
    return re.sub(r"\s*\n\s*", r"\\N", escape_text(text, fmt))


def _style_for_video(
    subs: pysubs2.SSAFile, title: str | None, font: str, font_size: int | None, video_size: tuple[int, int]
) -> None:
    subs.styles["Default"] = ass_layout(subs, title=title, font=font, font_size=font_size, video_size=video_size)


def ass_layout(
    subs: pysubs2.SSAFile,
    *,
    title: str | None,
    font: str,
    font_size: int | None,
    video_size: tuple[int, int],
    **colours: pysubs2.Color,
) -> pysubs2.SSAStyle:
    """Set the ASS script's frame to the video's size and return the readable bottom-centre style.

    `colours` override the style's colour fields (the karaoke style's sung and unsung colours).
    """
    width, height = video_size
    size = font_size or default_font_size(video_size)
    subs.info.update({"PlayResX": str(width), "PlayResY": str(height), "WrapStyle": "0"})
    if title:
        subs.info["Title"] = title
    fields = {
        "primarycolor": pysubs2.Color(255, 255, 255, 0),
        "outlinecolor": pysubs2.Color(0, 0, 0, 0),
        "backcolor": pysubs2.Color(0, 0, 0, 128),
        **colours,
    }
    return pysubs2.SSAStyle(
        fontname=font,
        fontsize=size,
        borderstyle=1,
        outline=max(1, round(size * _OUTLINE_OF_FONT)),
        shadow=1,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=round(width * _MARGIN_OF_SIZE),
        marginr=round(width * _MARGIN_OF_SIZE),
        marginv=round(height * _MARGIN_OF_SIZE),
        **fields,
    )


def default_font_size(video_size: tuple[int, int]) -> int:
    """About a twentieth of the height, smaller when a full line of DEFAULT_LINE_WIDTH would not fit."""
    width, height = video_size
    fits = width * _USABLE_WIDTH / (DEFAULT_LINE_WIDTH * _MEAN_GLYPH_WIDTH_EM)
    return max(1, round(min(height * _FONT_OF_HEIGHT, fits)))
