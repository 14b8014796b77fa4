"""Voice previews through a real registry and speech cache: WAV bytes, the memory and disk caches, limits."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from tests.conftest import SECONDS_PER_CHAR, TONE_RATE, ToneEngine
from voxweave.config import Settings
from voxweave.errors import VoiceError
from voxweave.service.previews import MAX_PREVIEW_CHARS, Previewer
from voxweave.speech_cache import SpeechCache
from voxweave.tts.gate import PriorityGate
from voxweave.tts.registry import EngineRegistry

PASSAGE = "The keeper climbed the stairs at dusk."  # 38 characters: 1.9 s of tone


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", default_voice="tone:a4")


@pytest.fixture
def engine() -> ToneEngine:
    return ToneEngine()


def previewer_over(settings: Settings, engine: ToneEngine) -> tuple[Previewer, SpeechCache]:
    registry = EngineRegistry(settings, factories={"tone": lambda _settings: engine})
    cache = SpeechCache.from_settings(settings)
    return Previewer(registry.resolve, PriorityGate(), cache), cache


def decode(wav: bytes) -> tuple[int, int, int, int]:
    """(channels, sample width, rate, frames) of WAV bytes."""
    with wave.open(io.BytesIO(wav)) as clip:
        return clip.getnchannels(), clip.getsampwidth(), clip.getframerate(), clip.getnframes()


def pcm(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as clip:
        return np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2").astype(np.int32)


def test_a_preview_is_wav_of_the_right_length(settings, engine):
    previewer, _ = previewer_over(settings, engine)
    preview = previewer.preview(PASSAGE, "tone:c5")
    expected_seconds = len(PASSAGE) * SECONDS_PER_CHAR
    assert (preview.voice, preview.text, preview.speed, preview.cached) == ("tone:c5", PASSAGE, 1.0, False)
    channels, width, rate, frames = decode(preview.wav)
    assert (channels, width, rate) == (1, 2, TONE_RATE)
    assert frames == int(expected_seconds * TONE_RATE)
    assert preview.seconds == pytest.approx(expected_seconds, abs=1e-3)
    assert preview.latency >= 0
    assert engine.calls == [PASSAGE]


def test_the_voice_defaults_to_the_default_engine_and_speed_is_kept(settings, engine):
    previewer, _ = previewer_over(settings, engine)
    preview = previewer.preview(PASSAGE, "a4", speed=2.0)
    assert (preview.voice, preview.speed) == ("tone:a4", 2.0)
    assert preview.seconds == pytest.approx(len(PASSAGE) * SECONDS_PER_CHAR / 2, abs=1e-3)


def test_a_second_identical_preview_is_served_from_memory(settings, engine):
    previewer, _ = previewer_over(settings, engine)
    first = previewer.preview(PASSAGE, "tone:a4")
    again = previewer.preview(f"  {PASSAGE.replace(' ', '   ')}\n", "tone:a4")  # the same text, other spacing
    assert again.cached and not first.cached
    assert again.wav == first.wav and again.text == PASSAGE
    assert len(engine.calls) == 1
    other_speed = previewer.preview(PASSAGE, "tone:a4", speed=1.5)
    assert not other_speed.cached and len(engine.calls) == 2


def test_a_new_previewer_finds_the_clip_in_the_disk_cache(settings, engine):
    previewer, cache = previewer_over(settings, engine)
    first = previewer.preview(PASSAGE, "tone:a4")
    cache.flush()  # the cache writes in the background

    fresh_engine = ToneEngine()
    later, _ = previewer_over(settings, fresh_engine)
    again = later.preview(PASSAGE, "tone:a4")
    assert again.cached and fresh_engine.calls == []
    # The disk keeps 16-bit samples, as the WAV does: the clip comes back within one step of each sample.
    assert decode(again.wav) == decode(first.wav)
    assert np.abs(pcm(again.wav) - pcm(first.wav)).max() <= 1
    assert later.measured_rate("tone") is None  # nothing was synthesised: nothing measured


def test_without_a_speech_cache_previews_still_work(settings, engine):
    registry = EngineRegistry(settings, factories={"tone": lambda _settings: engine})
    previewer = Previewer(registry.resolve, PriorityGate(), None)
    assert not previewer.preview(PASSAGE, "tone:a4").cached
    assert previewer.preview(PASSAGE, "tone:a4").cached  # from memory
    assert len(engine.calls) == 1


def test_an_empty_passage_is_refused(settings, engine):
    previewer, _ = previewer_over(settings, engine)
    for text in ("", "   \n\t "):
        with pytest.raises(ValueError, match="passage"):
            previewer.preview(text, "tone:a4")
    assert engine.calls == []


def test_an_unknown_engine_is_a_voice_error(settings, engine):
    previewer, _ = previewer_over(settings, engine)
    with pytest.raises(VoiceError):
        previewer.preview(PASSAGE, "nosuch:voice")


def test_a_long_passage_is_cut_at_a_word(settings, engine):
    previewer, _ = previewer_over(settings, engine)
    words = " ".join(f"word{i}" for i in range(200))  # about 1,300 characters
    preview = previewer.preview(words, "tone:a4")
    assert len(preview.text) <= MAX_PREVIEW_CHARS
    assert words.startswith(preview.text) and words[len(preview.text)] == " "  # whole words only
    assert engine.calls == [preview.text]


def test_the_measured_rate_is_recorded_per_engine(settings, engine):
    previewer, _ = previewer_over(settings, engine)
    assert previewer.measured_rate("tone") is None
    previewer.preview("The first call loads the model, so it does not count.", "tone:a4")
    assert previewer.measured_rate("tone") is None
    preview = previewer.preview(PASSAGE, "tone:a4")
    rate = previewer.measured_rate("tone")
    assert rate is not None and rate > 0
    assert rate <= preview.latency / preview.seconds  # the engine's own time, without waiting or caching
    previewer.preview(PASSAGE, "tone:a4")  # a cached one does not change it
    assert previewer.measured_rate("tone") == rate
    assert previewer.measured_rate("kokoro-onnx") is None


def test_memory_keeps_only_the_last_clips(settings, engine):
    registry = EngineRegistry(settings, factories={"tone": lambda _settings: engine})
    previewer = Previewer(registry.resolve, PriorityGate(), None, memory_items=2)
    for text in ("First passage.", "Second passage.", "Third passage."):
        previewer.preview(text, "tone:a4")
    assert previewer.preview("Third passage.", "tone:a4").cached
    assert not previewer.preview("First passage.", "tone:a4").cached  # dropped, made again
    assert engine.calls == ["First passage.", "Second passage.", "Third passage.", "First passage."]
