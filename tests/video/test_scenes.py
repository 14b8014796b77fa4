"""Scene planning: pure functions, so invariants are checked on many generated timelines."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxweave.video.scenes import PROMPT_LIMIT, Scene, TextSpan, build_prompt, plan_scenes, summarise

SENTENCES = [
    "The lighthouse keeper climbed the stairs at dusk.",
    "The storm came early; the glass rattled.",
    "He trimmed the wick and wound the clockwork.",
    "Far below, a small boat fought toward the harbour.",
]


def timeline(durations: list[float], pause: float = 0.3, texts: list[str] | None = None) -> list[TextSpan]:
    spans, t = [], 0.0
    for i, length in enumerate(durations):
        text = texts[i] if texts else SENTENCES[i % len(SENTENCES)]
        spans.append(TextSpan(text, t, t + length))
        t += length + pause
    return spans


def assert_covers(scenes: tuple[Scene, ...], total: float) -> None:
    assert scenes[0].start == 0.0 and math.isclose(scenes[-1].end, total)
    assert [s.index for s in scenes] == list(range(len(scenes)))
    for a, b in zip(scenes, scenes[1:]):
        assert a.end == b.start  # no gap, no overlap
    assert all(s.end > s.start for s in scenes)
    assert all(s.prompt.strip() and len(s.prompt) <= PROMPT_LIMIT for s in scenes)


@st.composite
def timelines(draw):
    count = draw(st.integers(0, 40))
    lengths = draw(st.lists(st.floats(0.0, 30.0), min_size=count, max_size=count))
    pauses = draw(st.lists(st.floats(0.0, 3.0), min_size=count, max_size=count))
    words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=700)
    texts = draw(st.lists(words, min_size=count, max_size=count))
    spans, t = [], 0.0
    for length, pause, text in zip(lengths, pauses, texts):
        spans.append((text, t, t + length))
        t += length + pause
    total = draw(st.one_of(st.none(), st.floats(0.5, 600.0)))
    if total is None and max((end for _, _, end in spans), default=0.0) <= 0:
        total = 1.0
    return spans, total


@settings(max_examples=200, deadline=None)
@given(timelines(), st.floats(4.0, 10.0), st.integers(1, 30), st.text(max_size=300))
def test_scenes_cover_the_narration_without_gaps_and_prompts_fit(data, clip_seconds, max_scenes, style):
    spans, total = data
    scenes = plan_scenes(spans, style=style, clip_seconds=clip_seconds, max_scenes=max_scenes, total=total)

    expected_total = total if total is not None else max(end for _, _, end in spans)
    assert 1 <= len(scenes) <= max_scenes
    assert_covers(scenes, expected_total)


def test_scenes_are_about_one_clip_long_and_cut_in_the_pauses():
    spans = timeline([2.2, 2.5, 2.0, 2.8, 2.4, 2.6, 2.1, 2.3])
    total = spans[-1].end
    scenes = plan_scenes(spans, style="cinematic, warm light", clip_seconds=5.0)

    assert len(scenes) == round(total / 5.0)
    pauses = [(a.end + b.start) / 2 for a, b in zip(spans, spans[1:])]
    assert all(any(math.isclose(s.end, p) for p in pauses) for s in scenes[:-1])
    assert all(s.prompt.endswith(", cinematic, warm light") for s in scenes)
    assert scenes[0].prompt.startswith("The lighthouse keeper climbed the stairs at dusk")
    assert " ".join(s.source_text for s in scenes) == " ".join(s.text for s in spans)


def test_a_long_narration_gets_longer_scenes_up_to_the_maximum():
    spans = timeline([3.0] * 100)
    scenes = plan_scenes(spans, clip_seconds=5.0, max_scenes=6)
    assert len(scenes) == 6
    assert_covers(scenes, spans[-1].end)


def test_chapters_longer_than_a_scene_still_give_every_scene_text():
    chapters = [("Chapter one. The keeper wakes.", 0.0, 30.0), ("Chapter two. The storm.", 30.0, 60.0)]
    scenes = plan_scenes(chapters, clip_seconds=10.0, max_scenes=6)
    assert len(scenes) == 6
    assert all(s.source_text for s in scenes)
    assert scenes[1].prompt == "Chapter one. The keeper wakes"  # the chapter heard in the middle of the scene


def test_objects_with_text_start_end_are_accepted():
    @dataclass
    class Timed:
        text: str
        start: float
        end: float

    scenes = plan_scenes([Timed("A boat on the sea.", 0.0, 4.0)], clip_seconds=4.0)
    assert scenes == (Scene(0, 0.0, 4.0, "A boat on the sea", "A boat on the sea."),)


def test_prompts_are_clean_short_and_never_empty():
    long = "# Heading\n\n**" + "word " * 300 + "** end."
    prompt = build_prompt(long, "cinematic")
    assert len(prompt) <= PROMPT_LIMIT and "#" not in prompt and "*" not in prompt
    assert prompt.endswith(", cinematic")
    assert build_prompt("", "") and build_prompt("   ", "anime") == "A calm, atmospheric scene, anime"
    assert build_prompt("One. Two! Three? Four.", "") == "One. Two! Three"  # at most three sentences
    assert len(build_prompt("x" * 2000, "s" * 2000)) <= PROMPT_LIMIT


def test_summarise_keeps_whole_sentences_that_fit():
    assert summarise("First one. Second one.", 12) == "First one."
    assert summarise("A very long first sentence indeed.", 16) == "A very long…"


@pytest.mark.parametrize("kwargs", [{"clip_seconds": 3.0}, {"clip_seconds": 11.0}, {"max_scenes": 0}])
def test_bad_limits_are_refused(kwargs):
    with pytest.raises(ValueError):
        plan_scenes(timeline([5.0]), **kwargs)


def test_a_timeline_without_length_is_refused():
    with pytest.raises(ValueError, match="no length"):
        plan_scenes([])
