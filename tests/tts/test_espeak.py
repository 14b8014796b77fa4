"""espeak-ng through ctypes: always there, fast, thread-safe, with clear errors."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests.speech_check import rms
from voxweave.errors import VoiceError
from voxweave.tts.base import Engine
from voxweave.tts.espeak import ESPEAK_SAMPLE_RATE

SENTENCE = "Please call me tomorrow morning at the office."


def test_is_an_available_engine(espeak_engine):
    assert isinstance(espeak_engine, Engine)
    availability = espeak_engine.available()
    assert availability, availability.reason


def test_lists_many_languages_including_english(espeak_engine):
    voices = {v.id: v for v in espeak_engine.voices()}
    assert {"espeak:en-us", "espeak:en-gb", "espeak:fr-fr", "espeak:de"} <= set(voices)
    assert len(voices) > 50
    assert espeak_engine.default_voice() == "en-us"
    assert "English" in voices["espeak:en-us"].description


def test_speaks_a_sentence_in_milliseconds(espeak_engine):
    espeak_engine.synthesize("Warm up.", "en-us")
    started = time.perf_counter()
    speech = espeak_engine.synthesize(SENTENCE, "en-us")
    elapsed = time.perf_counter() - started
    assert speech.sample_rate == ESPEAK_SAMPLE_RATE
    assert speech.samples.dtype == np.float32 and speech.samples.ndim == 1
    assert speech.words is None
    assert 1.5 < speech.duration < 5.0
    assert 0.03 < rms(speech.samples) < 0.5
    assert elapsed < 0.5


def test_voices_and_speed_change_the_sound(espeak_engine):
    us = espeak_engine.synthesize(SENTENCE, "en-us")
    gb = espeak_engine.synthesize(SENTENCE, "espeak:en-gb")
    fast = espeak_engine.synthesize(SENTENCE, "en-us", speed=1.5)
    n = min(len(us.samples), len(gb.samples))
    assert not np.allclose(us.samples[:n], gb.samples[:n])
    assert fast.duration < 0.85 * us.duration


def test_unknown_voices_blends_and_other_engines_are_refused(espeak_engine):
    with pytest.raises(VoiceError, match="no voice 'klingon-xx'"):
        espeak_engine.synthesize("Hello.", "klingon-xx")
    with pytest.raises(VoiceError, match="blend"):
        espeak_engine.synthesize("Hello.", "en-us*0.5+en-gb*0.5")
    with pytest.raises(VoiceError, match="kokoro-onnx"):
        espeak_engine.synthesize("Hello.", "kokoro-onnx:jm_kumo")


@pytest.mark.parametrize("speed", [0.2, 3.0])
def test_speed_out_of_range_is_refused(espeak_engine, speed):
    with pytest.raises(ValueError, match="speed"):
        espeak_engine.synthesize("Hello.", "en-us", speed=speed)


@pytest.mark.parametrize("text", ["", "  \n "])
def test_empty_text_gives_empty_speech(espeak_engine, text):
    speech = espeak_engine.synthesize(text, "en-us")
    assert len(speech.samples) == 0 and speech.sample_rate == ESPEAK_SAMPLE_RATE


def test_threads_share_the_global_library_safely(espeak_engine):
    # Texts of very different lengths: a mix-up between threads would show in the durations.
    jobs = [("Yes. " * (1 + i % 4) + "Done.", "en-us" if i % 2 else "en-gb") for i in range(12)]
    serial = [espeak_engine.synthesize(text, voice).duration for text, voice in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda job: espeak_engine.synthesize(*job).duration, jobs))
    # espeak-ng varies a few samples from run to run, so lengths are compared, not samples.
    assert parallel == pytest.approx(serial, rel=0.03)
