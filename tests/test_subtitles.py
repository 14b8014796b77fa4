"""Subtitle cues from measured spans, and the SRT/VTT/ASS writers."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pysubs2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxweave.errors import OutputError
from voxweave.subtitles import (
    SUBTITLE_FORMATS,
    Cue,
    SubtitleFormat,
    TimedText,
    build_cues,
    default_font_size,
    word_cues,
    write_subtitles,
)
from voxweave.tts.base import WordTiming

LONG_SENTENCE = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief; it was the season of Light, it was the season of Darkness."
)


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_cue_invariants(segments: list[TimedText], cues: list[Cue], line_width: int) -> None:
    assert all(cue.start < cue.end for cue in cues)
    assert all(a.end <= b.start for a, b in pairwise(cues)), "cues overlap or go back"
    for cue in cues:
        assert cue.text.count("\n") <= 1
        assert cue.text == cue.text.strip()
    remaining = list(cues)
    for segment in segments:
        if not segment.text.strip():
            continue
        mine = [c for c in remaining if segment.start <= c.start and c.end <= segment.end]
        assert mine, f"no cue for {segment.text!r}"
        assert flat(" ".join(c.text for c in mine)) == flat(segment.text)
        remaining = remaining[len(mine) :]
    assert remaining == []


# --------------------------------------------------------------------------- building cues


def test_one_cue_per_short_segment() -> None:
    segments = [TimedText("Hello there.", 0.0, 1.2), TimedText("  How are   you? ", 1.5, 2.4)]
    assert build_cues(segments) == [Cue(0.0, 1.2, "Hello there."), Cue(1.5, 2.4, "How are you?")]


def test_a_long_sentence_is_split_into_readable_cues() -> None:
    segment = TimedText(LONG_SENTENCE, 10.0, 22.0)
    cues = build_cues([segment], max_chars=84, max_seconds=6.0, line_width=42)
    assert len(cues) >= 3
    assert_cue_invariants([segment], cues, 42)
    assert (cues[0].start, cues[-1].end) == (10.0, 22.0)
    for cue in cues:
        assert len(cue.text) <= 84
        assert all(len(line) <= 44 for line in cue.text.split("\n"))
        assert cue.end - cue.start <= 6.0
    for cue in cues[:-1]:
        assert cue.text[-1] in ",;.", f"cut away from punctuation: {cue.text!r}"


def test_split_parts_are_timed_by_their_share_of_characters() -> None:
    text = "aaaa bbbb cccc dddd eeee ffff gggg hhhh"
    cues = build_cues([TimedText(text, 0.0, 4.0)], max_chars=20, line_width=20)
    assert [c.text for c in cues] == ["aaaa bbbb cccc dddd", "eeee ffff gggg hhhh"]
    assert cues[0].end == pytest.approx(4.0 * 20 / 40)


def test_split_parts_follow_measured_word_timings() -> None:
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight"]
    timings = tuple(WordTiming(w, 1.0 + k, 1.0 + k + 0.5) for k, w in enumerate(words))
    segment = TimedText(" ".join(words), 1.0, 9.0, timings)
    cues = build_cues([segment], max_chars=24, line_width=24)
    assert len(cues) == 2
    first_word_of_second = cues[1].text.split()[0]
    assert cues[1].start == timings[words.index(first_word_of_second)].start


def test_a_slow_segment_is_split_by_time() -> None:
    cues = build_cues([TimedText("Slowly, very slowly, she turned.", 0.0, 14.0)], max_seconds=6.0)
    assert len(cues) >= 3
    assert all(c.end - c.start <= 6.0 + 1e-9 for c in cues)


def test_lines_are_wrapped_to_two() -> None:
    (cue,) = build_cues([TimedText("A sentence that is a little too long for one line, but fits.", 0, 3)])
    assert cue.text == "A sentence that is a little too\nlong for one line, but fits."


def test_overlapping_segments_are_refused() -> None:
    with pytest.raises(ValueError, match="before the last ended"):
        build_cues([TimedText("One.", 0.0, 2.0), TimedText("Two.", 1.0, 3.0)])


def test_a_segment_with_no_audio_gets_no_cue() -> None:
    cues = build_cues([TimedText("Heard.", 0.0, 1.0), TimedText("Silent?", 1.0, 1.0), TimedText("Also.", 1.0, 2.0)])
    assert [c.text for c in cues] == ["Heard.", "Also."]


def test_a_tiny_overlap_from_rounding_is_absorbed() -> None:
    cues = build_cues([TimedText("One.", 0.0, 1.00002), TimedText("Two.", 1.0, 2.0)])
    assert cues == [Cue(0.0, 1.00002, "One."), Cue(1.00002, 2.0, "Two.")]


def test_timed_text_placed_moves_words_onto_the_track() -> None:
    words = (WordTiming("Hi", 0.0, 0.3), WordTiming("you", 0.4, 0.9))
    placed = TimedText.placed("Hi you", (10.0, 10.8), words)
    assert placed.words == (WordTiming("Hi", 10.0, 10.3), WordTiming("you", 10.4, 10.8))
    assert (placed.start, placed.end) == (10.0, 10.8)


def test_word_cues_follow_word_timings() -> None:
    words = (WordTiming("Hi", 0.0, 0.35), WordTiming(",", 0.35, 0.35), WordTiming("you", 0.3, 0.9))
    cues = word_cues([TimedText("Hi, you", 0.0, 1.0, words), TimedText("No words.", 1.0, 2.0)])
    assert cues == [Cue(0.0, 0.3, "Hi"), Cue(0.3, 0.9, "you")]


WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=14)
PUNCTUATION = st.sampled_from(["", "", "", ",", ".", ";", "?", '."', " —"])


@st.composite
def segment_lists(draw: st.DrawFn) -> list[TimedText]:
    segments, clock = [], draw(st.floats(0, 100))
    for _ in range(draw(st.integers(1, 6))):
        count = draw(st.integers(1, 60))
        text = " ".join(draw(WORDS) + draw(PUNCTUATION) for _ in range(count))
        clock += draw(st.floats(0, 2))
        duration = draw(st.floats(0.02 * count, 30 + 0.02 * count))  # never faster than 50 words/s
        words = None
        if draw(st.booleans()):
            step = duration / count
            words = tuple(WordTiming(w, clock + k * step, clock + (k + 0.8) * step) for k, w in enumerate(text.split()))
        segments.append(TimedText(text, clock, clock + duration, words))
        clock += duration
    return segments


@settings(max_examples=150, deadline=None)
@given(segments=segment_lists(), max_chars=st.integers(20, 120), max_seconds=st.floats(1.0, 10.0))
def test_cue_invariants_hold_for_any_segments(segments: list[TimedText], max_chars: int, max_seconds: float) -> None:
    line_width = max_chars // 2
    cues = build_cues(segments, max_chars=max_chars, max_seconds=max_seconds, line_width=line_width)
    assert_cue_invariants(segments, cues, line_width)
    longest_word = max(len(w) for s in segments for w in s.text.split())
    assert all(len(c.text) <= max(max_chars, longest_word) for c in cues)


# --------------------------------------------------------------------------- writing files

CUES = [
    Cue(0.0, 1.234, "First line."),
    Cue(1.234, 3.5, "Two lines here,\nand the second one."),
    Cue(4.001, 6.789, "Odd {braces} & <angles>"),
]


@pytest.mark.parametrize("fmt", SUBTITLE_FORMATS)
def test_written_files_load_back_with_the_same_times(tmp_path: Path, fmt: SubtitleFormat) -> None:
    path = write_subtitles(CUES, tmp_path / f"book.{fmt}", fmt, title="A Book")
    loaded = pysubs2.load(str(path))
    expected = [(0, 1234), (1234, 3500), (4001, 6789)]
    if fmt == "ass":  # ASS times are in centiseconds
        expected = [(round(a, -1), round(b, -1)) for a, b in expected]
    assert [(e.start, e.end) for e in loaded] == expected
    assert loaded[1].plaintext == "Two lines here,\nand the second one."
    assert [p.name for p in tmp_path.iterdir()] == [f"book.{fmt}"]


def test_srt_numbering_starts_at_one_and_is_consecutive(tmp_path: Path) -> None:
    cues = [Cue(k * 2.0, k * 2.0 + 1.5, f"Cue {k}") for k in range(12)]
    text = write_subtitles(cues, tmp_path / "book.srt", "srt").read_text(encoding="utf-8")
    numbers = [int(block.split("\n", 1)[0]) for block in text.strip().split("\n\n")]
    assert numbers == list(range(1, 13))
    assert "00:00:00,000 --> 00:00:01,500\nCue 0\n" in text


def test_srt_keeps_plain_text_verbatim(tmp_path: Path) -> None:
    text = write_subtitles(CUES, tmp_path / "book.srt", "srt").read_text(encoding="utf-8")
    assert "Odd {braces} & <angles>" in text


def test_vtt_has_its_header_and_escapes_markup(tmp_path: Path) -> None:
    text = write_subtitles(CUES, tmp_path / "book.vtt", "vtt").read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    assert "00:00:01.234 --> 00:00:03.500" in text
    assert "&amp; &lt;angles&gt;" in text


def test_ass_is_styled_for_the_video(tmp_path: Path) -> None:
    path = write_subtitles(CUES, tmp_path / "book.ass", "ass", title="A Book", video_size=(1920, 1080))
    loaded = pysubs2.load(str(path))
    assert (loaded.info["PlayResX"], loaded.info["PlayResY"], loaded.info["Title"]) == ("1920", "1080", "A Book")
    style = loaded.styles["Default"]
    assert style.fontname == "DejaVu Sans"
    assert style.fontsize == default_font_size((1920, 1080)) == 54
    assert style.alignment == pysubs2.Alignment.BOTTOM_CENTER
    assert (style.primarycolor.r, style.primarycolor.g, style.primarycolor.b) == (255, 255, 255)
    assert style.outline >= 2
    assert "{" not in loaded[2].text  # braces would hide the text as an override block


def test_font_size_shrinks_for_a_narrow_video() -> None:
    assert default_font_size((1280, 720)) == 36
    assert default_font_size((720, 1280)) < 36


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="srt, vtt, ass"):
        write_subtitles(CUES, tmp_path / "book.sub", "sub")  # type: ignore[arg-type]


def test_an_unwritable_path_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError):
        write_subtitles(CUES, blocker / "book.srt", "srt")


def test_built_cues_round_trip_through_srt(tmp_path: Path) -> None:
    cues = build_cues([TimedText(LONG_SENTENCE, 0.5, 12.25)])
    loaded = pysubs2.load(str(write_subtitles(cues, tmp_path / "book.srt", "srt")))
    assert [(e.start, e.end) for e in loaded] == [(round(c.start * 1000), round(c.end * 1000)) for c in cues]
    assert flat(" ".join(e.plaintext for e in loaded)) == flat(LONG_SENTENCE)
    assert re.match(r"1\n00:00:00,500 --> ", (tmp_path / "book.srt").read_text(encoding="utf-8"))
