"""Word-level cues and karaoke ASS: measured timings used as given, others shared by length and
labelled approximate, and nothing ever outside its sentence's measured span."""

from __future__ import annotations

import re

import pysubs2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxweave.subtitles import TimedText
from voxweave.tts.base import WordTiming
from voxweave.word_subtitles import (
    APPROXIMATE_NOTE,
    karaoke_lines,
    split_by_weight,
    time_words,
    word_cues,
    write_karaoke,
    write_word_subtitles,
)

MEASURED = TimedText(
    "Hello there, my friend.",
    0.5,
    2.0,
    (WordTiming("Hello", 0.5, 0.9), WordTiming("there,", 0.95, 1.3), WordTiming("my", 1.4, 1.5),
     WordTiming("friend.", 1.5, 1.95)),
)
UNMEASURED = TimedText("A second sentence {with} braces.", 2.3, 4.0)
_K_TAG = re.compile(r"\{\\k(\d+)\}")


def test_measured_words_are_used_as_given():
    (line,) = time_words([MEASURED])
    assert not line.approximate
    assert [(w.text, w.start, w.end) for w in line.words] == [(w.word, w.start, w.end) for w in MEASURED.words]


def test_unmeasured_sentences_are_shared_by_length_back_to_back():
    words = split_by_weight("I understand", 1.0, 2.4)
    assert [w.text for w in words] == ["I", "understand"]
    assert words[0].start == 1.0 and words[-1].end == 2.4 and words[0].end == words[1].start
    assert words[1].end - words[1].start > 4 * (words[0].end - words[0].start)
    (line,) = time_words([UNMEASURED])
    assert line.approximate


def test_measured_words_outside_the_span_are_pulled_in():
    stray = TimedText("Early late", 1.0, 2.0, (WordTiming("Early", 0.7, 1.2), WordTiming("late", 1.1, 2.6)))
    (line,) = time_words([stray])
    assert [(w.start, w.end) for w in line.words] == [(1.0, 1.2), (1.2, 2.0)]


def test_one_cue_per_word_and_zero_length_words_borrow_time():
    blink = TimedText("a b", 0.0, 1.0, (WordTiming("a", 0.2, 0.2), WordTiming("b", 0.6, 0.9)))
    cues = word_cues(time_words([blink, UNMEASURED]))
    assert [c.text for c in cues] == ["a", "b", "A", "second", "sentence", "{with}", "braces."]
    assert (cues[0].start, cues[0].end) == (0.2, 0.6)


def test_karaoke_parts_add_up_to_each_event_on_the_centisecond_grid():
    events = karaoke_lines(time_words([MEASURED, UNMEASURED]), max_chars=20)
    assert len(events) == 4
    for event in events:
        assert sum(cs for cs, _ in event.parts) == round((event.end - event.start) * 100)
    assert events[0].parts[:3] == ((40, "Hello"), (5, ""), (35, "there,"))  # the pause is an empty syllable
    assert all(a.end <= b.start for a, b in zip(events, events[1:]))


def test_srt_and_vtt_word_files(tmp_path):
    srt = write_word_subtitles([MEASURED], tmp_path / "words.srt", "srt")
    assert not srt.approximate and srt.cue_count == 4
    assert [e.text for e in pysubs2.load(str(srt.path))] == ["Hello", "there,", "my", "friend."]
    vtt = write_word_subtitles([MEASURED, UNMEASURED], tmp_path / "words.vtt", "vtt")
    text = vtt.path.read_text(encoding="utf-8")
    assert vtt.approximate and text.startswith("WEBVTT\n\nNOTE ") and APPROXIMATE_NOTE in text
    assert len(pysubs2.load(str(vtt.path))) == 9
    with pytest.raises(ValueError, match="write_karaoke"):
        write_word_subtitles([MEASURED], tmp_path / "words.ass", "ass")  # type: ignore[arg-type]


def test_karaoke_ass_has_k_tags_and_says_when_it_is_approximate(tmp_path):
    measured = write_karaoke([MEASURED], tmp_path / "measured.ass", title="Book")
    content = measured.path.read_text(encoding="utf-8")
    assert not measured.approximate and APPROXIMATE_NOTE not in content
    (event,) = [e for e in pysubs2.load(str(measured.path)) if e.type == "Dialogue"]
    assert sum(int(cs) for cs in _K_TAG.findall(event.text)) * 10 == event.end - event.start
    assert "{\\k40}Hello" in event.text
    approximate = write_karaoke([MEASURED, UNMEASURED], tmp_path / "mixed.ass")
    content = approximate.path.read_text(encoding="utf-8")
    assert approximate.approximate and f"; {APPROXIMATE_NOTE}" in content
    assert "(with)" in content and "{with}" not in content  # braces in the text cannot open tags


@st.composite
def segments(draw):
    """Consecutive sentences, some with (possibly sloppy) measured words, some without."""
    result, cursor = [], draw(st.floats(0, 5))
    for _ in range(draw(st.integers(1, 5))):
        tokens = draw(st.lists(st.text("abcdefg,.", min_size=1, max_size=12), min_size=1, max_size=10))
        length = draw(st.floats(0.05, 8))
        start, end = cursor, cursor + length
        words = None
        if draw(st.booleans()):
            count = 2 * len(tokens)
            times = sorted(draw(st.lists(st.floats(start - 0.5, end + 0.5), min_size=count, max_size=count)))
            words = tuple(WordTiming(t, times[2 * i], times[2 * i + 1]) for i, t in enumerate(tokens))
        result.append(TimedText(" ".join(tokens), start, end, words))
        cursor = end + draw(st.floats(0, 2))
    return result


@settings(max_examples=300, deadline=None)
@given(segments())
def test_nothing_leaves_its_sentence_and_everything_rises(spoken):
    lines = time_words(spoken)
    for line, segment in zip(lines, spoken):
        assert all(segment.start <= w.start <= w.end <= segment.end for w in line.words)
    cues = word_cues(lines)
    assert all(a.start <= b.start for a, b in zip(cues, cues[1:]))
    spans = [(s.start, s.end) for s in spoken]
    for cue in cues:
        assert any(lo <= cue.start and cue.end <= hi for lo, hi in spans)
    events = karaoke_lines(lines)
    for event in events:
        assert any(lo - 1e-9 <= event.start and event.end <= hi + 1e-9 for lo, hi in spans)
        assert sum(cs for cs, _ in event.parts) == round((event.end - event.start) * 100)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(events, events[1:]))
