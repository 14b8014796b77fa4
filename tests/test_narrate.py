"""The narration pipeline, on a predictable engine: outputs, timings, chapters, resume."""

from __future__ import annotations

from pathlib import Path

import pysubs2
import pytest

from voxweave.audio import media_duration, read_chapters
from voxweave.narrate import TAIL_SECONDS, NarrationOptions, Pauses, narrate, plan_chunks
from voxweave.text.document import Chapter, Document

BOOK = Document(
    title="A Small Book",
    author="Ann Author",
    chapters=(
        Chapter("Contents", ("One. Two. Three.",), role="front"),
        Chapter("The Beginning", ("It was a bright cold day in April. The clocks were striking thirteen.",
                                  "Winston slipped quickly through the glass doors.")),
        Chapter("The Middle", ("Nothing happened for a long while, and then everything happened at once, "
                               "which surprised nobody who had been paying attention to the weather.",)),
        Chapter("The End", ("They lived happily.",)),
    ),
)


def run(document, engine, options, outdir: Path, stem="book"):
    events = list(narrate(document, engine, options, outdir=outdir, stem=stem))
    return events, events[-1].result


def test_narration_writes_audio_chapters_and_subtitles(tone_engine, tmp_path):
    options = NarrationOptions(voice="a4", audio_format="m4b", subtitle_formats=("srt", "vtt", "ass"))
    events, result = run(BOOK, tone_engine, options, tmp_path)

    assert result.audio == tmp_path / "book.m4b"
    assert abs(media_duration(result.audio) - result.duration) < 0.1
    assert [m.title for m in read_chapters(result.audio)] == ["The Beginning", "The Middle", "The End"]
    for fmt in ("srt", "vtt", "ass"):
        cues = pysubs2.load(str(result.subtitles[fmt]))
        assert cues[0].start == 0
        assert all(a.end <= b.start for a, b in zip(cues, cues[1:]))
        assert 0 <= result.duration - cues[-1].end / 1000 < 0.5
    # Front matter is not narrated by default; every body sentence was spoken once.
    assert not any("One. Two." in call for call in tone_engine.calls)
    assert sum(len(c) for c in tone_engine.calls) == sum(len(c.text) for c in plan_chunks(BOOK, tone_engine, options))


def test_progress_moves_forward_and_ends_done(tone_engine, tmp_path):
    events, result = run(BOOK, tone_engine, NarrationOptions(voice="a4", audio_format="wav"), tmp_path)
    synth = [e for e in events if e.stage == "synthesise"]
    assert [e.done for e in synth] == sorted(e.done for e in synth)
    assert synth[-1].fraction == 1.0 and synth[-1].chunks_done == synth[-1].chunks_total
    assert [e.stage for e in events[-3:]] == ["encode", "subtitles", "done"]
    assert result.synthesised == result.chunk_count and result.reused == 0


def test_chapter_selection_and_pauses_shape_the_track(tone_engine, tmp_path):
    pauses = Pauses(sentence=0.5, paragraph=1.0, chapter=2.0)
    options = NarrationOptions(voice="a4", audio_format="wav", chapters=(2, 4), pauses=pauses)
    _, result = run(BOOK, tone_engine, options, tmp_path)
    spoken = sum(len(c.strip()) for c in tone_engine.calls) * 0.05
    # Chapter 2: two sentences then a paragraph break; chapter 4 follows a chapter break.
    assert result.duration == pytest.approx(spoken + 0.5 + 1.0 + 2.0 + TAIL_SECONDS, abs=0.01)
    assert [m.title for m in result.chapters] == ["The Beginning", "The End"]
    assert result.chapters[1].start == pytest.approx(result.chapters[0].end)


def test_an_interrupted_narration_resumes_without_redoing_finished_chunks(tone_engine, tmp_path):
    options = NarrationOptions(voice="a4", audio_format="mp3")
    total = len(plan_chunks(BOOK, tone_engine, options))
    steps = narrate(BOOK, tone_engine, options, outdir=tmp_path, stem="book")
    for _ in range(2):
        next(steps)
    steps.close()  # the user stopped it
    assert not (tmp_path / "book.mp3").exists()
    calls_before = len(tone_engine.calls)

    _, result = run(BOOK, tone_engine, options, tmp_path)
    assert calls_before == 2
    assert result.reused == 2 and result.synthesised == total - 2
    assert len(tone_engine.calls) == total


def test_changing_the_voice_does_not_reuse_other_audio(tone_engine, tmp_path):
    options = NarrationOptions(voice="a4", audio_format="wav", keep_work=True)
    run(BOOK, tone_engine, options, tmp_path)
    _, result = run(BOOK, tone_engine, NarrationOptions(voice="c5", audio_format="wav"), tmp_path)
    assert result.reused == 0


def test_finished_work_is_cleaned_unless_kept(tone_engine, tmp_path):
    run(BOOK, tone_engine, NarrationOptions(voice="a4", audio_format="wav"), tmp_path)
    assert not list((tmp_path / ".book.work").rglob("*.npz"))
    run(BOOK, tone_engine, NarrationOptions(voice="a4", audio_format="wav", keep_work=True), tmp_path / "kept")
    assert list((tmp_path / "kept" / ".book.work").rglob("*.npz"))


def test_silent_chunks_are_reported(tone_engine, tmp_path, monkeypatch):
    real = tone_engine.synthesize
    monkeypatch.setattr(tone_engine, "synthesize",
                        lambda text, voice, speed=1.0: real("" if "April" in text else text, voice, speed))
    _, result = run(BOOK, tone_engine, NarrationOptions(voice="a4", audio_format="wav"), tmp_path)
    assert len(result.warnings) == 1 and "April" in result.warnings[0]


def test_nothing_to_narrate_is_refused(tone_engine, tmp_path):
    empty = Document(title="Empty", chapters=(Chapter("Front", ("Copyright.",), role="front"),))
    with pytest.raises(ValueError, match="nothing to narrate"):
        run(empty, tone_engine, NarrationOptions(voice="a4"), tmp_path)


def test_word_and_karaoke_subtitles_stay_inside_the_audio(tone_engine, tmp_path):
    options = NarrationOptions(voice="a4", audio_format="wav", subtitle_formats=("words.vtt", "karaoke.ass"))
    _, result = run(BOOK, tone_engine, options, tmp_path)
    words = pysubs2.load(str(result.subtitles["words.vtt"]))
    assert len(words) >= 20 and words[-1].end / 1000 <= result.duration
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    karaoke = result.subtitles["karaoke.ass"].read_text()
    assert "\\k" in karaoke
