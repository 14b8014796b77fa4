"""Word-level subtitles: one cue per word (SRT/VTT) and karaoke ASS (\\k tags, centiseconds).

Words are timed by the engine where it measured them (Kokoro); elsewhere each sentence's measured
span is shared among its words by character weight, and the result says so (`approximate`, plus a
note in VTT and ASS files). Every word stays inside its sentence's measured span. Timing (time_words,
karaoke_lines) is pure; the writers go through pysubs2 and appear on disk only when complete.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import pysubs2

from voxweave.subtitles import (
    DEFAULT_FONT,
    DEFAULT_LINE_WIDTH,
    DEFAULT_MAX_SECONDS,
    Cue,
    ass_layout,
    escape_text,
    milliseconds,
    write_subtitle_file,
)
from voxweave.tts.base import WordTiming

WordFormat = Literal["srt", "vtt"]
WORD_FORMATS = ("srt", "vtt")
CENTISECONDS = 100
MS_PER_CENTISECOND = 10
#: Told in VTT (NOTE) and ASS (a comment) files whose timings were estimated, not measured.
APPROXIMATE_NOTE = (
    "Word timings are approximate: the engine gave none, so each sentence's measured time "
    "is shared among its words by length."
)
HEADER_NOTICE = "Written by VoxWeave"
# Karaoke look: unsung words white (secondary colour), sung words turn gold (primary colour);
# sizes as fractions of the video, like the sentence subtitles.
SUNG_COLOUR = pysubs2.Color(255, 200, 40, 0)
UNSUNG_COLOUR = pysubs2.Color(255, 255, 255, 0)
OUTLINE_COLOUR = pysubs2.Color(0, 0, 0, 0)
SHADOW_COLOUR = pysubs2.Color(0, 0, 0, 128)
KARAOKE_STYLE = "Karaoke"


class SpokenSegment(Protocol):
    """A sentence on the track (voxweave.subtitles.TimedText fits): text, span in seconds, words if measured."""

    @property
    def text(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def words(self) -> Sequence[WordTiming] | None: ...


@dataclass(frozen=True)
class TimedWord:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class WordLine:
    """The words of one segment, inside its span. `approximate`: shared by length, not measured."""

    words: tuple[TimedWord, ...]
    start: float
    end: float
    approximate: bool


@dataclass(frozen=True)
class KaraokeLine:
    """One karaoke event: from `start` for the sum of its parts; a part is (centiseconds, text), and
    a part with empty text is a pause."""

    start: float
    end: float
    parts: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class WordSubtitles:
    path: Path
    cue_count: int
    #: True when any segment's words were shared by length rather than measured by the engine.
    approximate: bool


# --------------------------------------------------------------------------- timing (pure)


def time_words(segments: Sequence[SpokenSegment]) -> list[WordLine]:
    """Every segment's words on the track: the engine's timings clamped into the segment's span
    (kept in order, never overlapping), else the span shared by character weight."""
    lines = []
    for segment in segments:
        if not segment.text.strip() or segment.end <= segment.start:
            continue
        measured = [w for w in (segment.words or ()) if w.word.strip()]
        if measured:
            words, approximate = _clamped(measured, segment.start, segment.end), False
        else:
            words, approximate = split_by_weight(segment.text, segment.start, segment.end), True
        if words:
            lines.append(WordLine(words, segment.start, segment.end, approximate))
    return lines


def split_by_weight(text: str, start: float, end: float) -> tuple[TimedWord, ...]:
    """The span [start, end] shared among the words of `text` in proportion to their length (a
    word's share includes its following space), back to back."""
    tokens = text.split()
    weights = [len(token) + 1 for token in tokens]
    total = sum(weights)
    words, elapsed = [], 0
    for token, weight in zip(tokens, weights):
        word_start = start + (end - start) * elapsed / total
        elapsed += weight
        word_end = end if elapsed == total else start + (end - start) * elapsed / total
        words.append(TimedWord(token, word_start, word_end))
    return tuple(words)


def _clamped(words: Sequence[WordTiming], start: float, end: float) -> tuple[TimedWord, ...]:
    timed, cursor = [], start
    for word in words:
        word_start = min(max(word.start, cursor), end)
        word_end = min(max(word.end, word_start), end)
        timed.append(TimedWord(word.word.strip(), word_start, word_end))
        cursor = word_end
    return tuple(timed)


def word_cues(lines: Sequence[WordLine]) -> list[Cue]:
    """One cue per word. A word measured with no duration borrows the time up to the next word
    (or its segment's end); one that still has none is left out."""
    cues = []
    for line in lines:
        for k, word in enumerate(line.words):
            end = word.end
            if end <= word.start:
                end = line.words[k + 1].start if k + 1 < len(line.words) else line.end
            if end > word.start:
                cues.append(Cue(word.start, end, word.text))
    return cues


def karaoke_lines(
    lines: Sequence[WordLine], *, max_chars: int = DEFAULT_LINE_WIDTH, max_seconds: float = DEFAULT_MAX_SECONDS
) -> list[KaraokeLine]:
    """Karaoke events: each segment's words in lines of at most `max_chars` characters and
    `max_seconds` (a longer single word stands alone). Durations are whole centiseconds counted
    on one grid, so each event's parts add up exactly to its length and events never overlap."""
    events = []
    for line in lines:
        # The segment's span on the centisecond grid, rounded inwards: no event leaves it.
        low, high = math.ceil(line.start * CENTISECONDS), math.floor(line.end * CENTISECONDS)
        for group in _groups(line.words, max_chars, max_seconds):
            first = min(max(_centiseconds(group[0].start), low), high)
            cursor, parts = first, []
            for word in group:
                begin = min(max(_centiseconds(word.start), cursor), high)
                finish = min(max(_centiseconds(word.end), begin), high)
                if begin > cursor:
                    parts.append((begin - cursor, ""))
                parts.append((finish - begin, word.text))
                cursor = finish
            if cursor > first:
                events.append(KaraokeLine(first / CENTISECONDS, cursor / CENTISECONDS, tuple(parts)))
    return events


def _groups(words: Sequence[TimedWord], max_chars: int, max_seconds: float) -> list[list[TimedWord]]:
    groups: list[list[TimedWord]] = []
    for word in words:
        current = groups[-1] if groups else None
        if current is not None:
            length = sum(len(w.text) + 1 for w in current) + len(word.text)
            if length <= max_chars and word.end - current[0].start <= max_seconds:
                current.append(word)
                continue
        groups.append([word])
    return groups


def _centiseconds(seconds: float) -> int:
    return round(seconds * CENTISECONDS)


# --------------------------------------------------------------------------- writing files


def write_word_subtitles(segments: Sequence[SpokenSegment], path: Path, fmt: WordFormat = "srt") -> WordSubtitles:
    """One cue per word as SRT or WebVTT. A VTT file whose timings are approximate says so in a NOTE;
    SRT has no comments, so only the result's `approximate` tells."""
    if fmt not in WORD_FORMATS:
        raise ValueError(f"word subtitles are {' or '.join(WORD_FORMATS)}, not {fmt!r} (karaoke ASS: write_karaoke)")
    lines = time_words(segments)
    cues = word_cues(lines)
    approximate = any(line.approximate for line in lines)
    subs = pysubs2.SSAFile()
    for cue in cues:
        text = escape_text(cue.text, fmt)
        subs.append(pysubs2.SSAEvent(start=milliseconds(cue.start), end=milliseconds(cue.end), text=text))
    content = subs.to_string(fmt, keep_ssa_tags=True)
    if fmt == "vtt" and approximate:
        header, _, rest = content.partition("\n")
        content = f"{header}\n\nNOTE {APPROXIMATE_NOTE}\n{rest}"
    write_subtitle_file(path, content)
    return WordSubtitles(Path(path), len(cues), approximate)


def write_karaoke(
    segments: Sequence[SpokenSegment],
    path: Path,
    *,
    title: str | None = None,
    font: str = DEFAULT_FONT,
    font_size: int | None = None,
    video_size: tuple[int, int] = (1280, 720),
    max_chars: int = DEFAULT_LINE_WIDTH,
) -> WordSubtitles:
    """Karaoke ASS: each line's words light up in turn ({\\kN} per word, N in centiseconds, pauses
    as empty syllables). Approximate timings are noted in a comment of the script's header."""
    lines = time_words(segments)
    events = karaoke_lines(lines, max_chars=max_chars)
    approximate = any(line.approximate for line in lines)
    subs = pysubs2.SSAFile()
    _karaoke_style(subs, title, font, font_size, video_size)
    for event in events:
        text = "".join(f"{{\\k{cs}}}{escape_text(word, 'ass')}" + (" " if word else "") for cs, word in event.parts)
        subs.append(
            pysubs2.SSAEvent(
                start=_centiseconds(event.start) * MS_PER_CENTISECOND,
                end=_centiseconds(event.end) * MS_PER_CENTISECOND,
                text=text.rstrip(),
                style=KARAOKE_STYLE,
            )
        )
    notice = f"{HEADER_NOTICE}\n{APPROXIMATE_NOTE}" if approximate else HEADER_NOTICE
    write_subtitle_file(path, subs.to_string("ass", header_notice=notice))
    return WordSubtitles(Path(path), len(events), approximate)


def _karaoke_style(
    subs: pysubs2.SSAFile, title: str | None, font: str, font_size: int | None, video_size: tuple[int, int]
) -> None:
    subs.styles[KARAOKE_STYLE] = ass_layout(
        subs, title=title, font=font, font_size=font_size, video_size=video_size,
        primarycolor=SUNG_COLOUR, secondarycolor=UNSUNG_COLOUR, outlinecolor=OUTLINE_COLOUR, backcolor=SHADOW_COLOUR,
    )
