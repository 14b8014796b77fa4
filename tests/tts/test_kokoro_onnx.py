"""The default engine with the real int8 Kokoro-82M from PyPI: speech a recogniser understands, blends, speed, errors."""

from __future__ import annotations

import numpy as np
import pytest

from tests.speech_check import SPEECH_MIN_OVERLAP, rms, transcribe, word_overlap
from tests.tts.conftest import SENTENCE
from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, SynthesisError, VoiceError
from voxweave.tts.base import Engine
from voxweave.tts.kokoro_onnx import KOKORO_SAMPLE_RATE, SHIPPED_MODEL_NAME, KokoroOnnxEngine

pytestmark = pytest.mark.slow


def test_is_an_engine_and_available_without_loading(tmp_path):
    engine = KokoroOnnxEngine(cache_dir=tmp_path)
    assert isinstance(engine, Engine)
    availability = engine.available()
    assert availability, availability.reason
    assert engine.device in availability.reason
    assert not (tmp_path / SHIPPED_MODEL_NAME).exists(), "available() must not join or load the model"


def test_lists_the_shipped_voices_with_jm_kumo_as_default(tmp_path):
    engine = KokoroOnnxEngine(cache_dir=tmp_path)
    voices = {v.id: v for v in engine.voices()}
    assert engine.default_voice() == "jm_kumo"
    assert {"kokoro-onnx:jm_kumo", "kokoro-onnx:jf_alpha"} <= set(voices)
    assert voices["kokoro-onnx:jm_kumo"].gender == "male"
    assert voices["kokoro-onnx:jf_alpha"].gender == "female"
    assert voices["kokoro-onnx:jm_kumo"].language == "en-us"


def test_settings_files_replace_the_shipped_voices(tmp_path):
    style = np.zeros((510, 1, 256), dtype=np.float32)
    np.savez(tmp_path / "voices.npz", af_test=style, bm_test=style)
    engine = KokoroOnnxEngine(Settings(data_dir=tmp_path, kokoro_onnx_voices=tmp_path / "voices.npz"))
    voices = {v.name: v for v in engine.voices()}
    assert set(voices) == {"af_test", "bm_test"}
    assert (voices["af_test"].language, voices["af_test"].gender) == ("en-us", "female")
    assert (voices["bm_test"].language, voices["bm_test"].gender) == ("en-gb", "male")


def test_speaks_english_a_recogniser_understands(kumo_speech):
    assert kumo_speech.sample_rate == KOKORO_SAMPLE_RATE
    assert kumo_speech.samples.dtype == np.float32 and kumo_speech.samples.ndim == 1
    assert kumo_speech.words is None
    assert 1.5 < kumo_speech.duration < 6.0
    assert 0.03 < rms(kumo_speech.samples) < 0.5
    assert np.abs(kumo_speech.samples).max() <= 1.0
    heard = transcribe(kumo_speech.samples, kumo_speech.sample_rate)
    # Measured: 1.0 ("please call me tomorrow morning at the office"); the threshold leaves room.
    assert word_overlap(SENTENCE, heard) >= SPEECH_MIN_OVERLAP, heard


def test_a_faster_speed_is_shorter(kokoro_engine, kumo_speech):
    fast = kokoro_engine.synthesize(SENTENCE, "jm_kumo", speed=1.5)
    assert fast.duration < 0.85 * kumo_speech.duration


BLEND_TEXT = "Good morning, everyone."


@pytest.fixture(scope="module")
def short_kumo(kokoro_engine):
    return kokoro_engine.synthesize(BLEND_TEXT, "jm_kumo")


def test_a_blend_differs_from_both_voices_at_the_same_length_scale(kokoro_engine, short_kumo):
    alpha = kokoro_engine.synthesize(BLEND_TEXT, "jf_alpha")
    blend = kokoro_engine.synthesize(BLEND_TEXT, "jm_kumo*0.5+jf_alpha*0.5")
    for single in (short_kumo, alpha):
        assert 0.7 < blend.duration / single.duration < 1.4
        n = min(len(blend.samples), len(single.samples))
        assert not np.allclose(blend.samples[:n], single.samples[:n], atol=1e-3)


def test_a_blend_weighted_all_on_one_voice_is_that_voice(kokoro_engine, short_kumo):
    same = kokoro_engine.synthesize(BLEND_TEXT, "kokoro-onnx:jm_kumo*1+jf_alpha*0")
    assert np.allclose(same.samples, short_kumo.samples, atol=1e-4)


def test_unknown_voices_name_some_known_ones(kokoro_engine):
    with pytest.raises(VoiceError, match="jm_kumo"):
        kokoro_engine.synthesize("Hello.", "af_nobody")
    with pytest.raises(VoiceError, match="af_nobody"):
        kokoro_engine.synthesize("Hello.", "jm_kumo*0.5+af_nobody*0.5")
    with pytest.raises(VoiceError, match="espeak"):
        kokoro_engine.synthesize("Hello.", "espeak:en-us")


@pytest.mark.parametrize("speed", [0.1, 2.5, 0.0])
def test_speed_out_of_range_is_refused(kokoro_engine, speed):
    with pytest.raises(ValueError, match="speed"):
        kokoro_engine.synthesize("Hello.", "jm_kumo", speed=speed)


@pytest.mark.parametrize("text", ["", "   \n\t", "♪"])
def test_nothing_to_say_gives_empty_speech(kokoro_engine, text):
    speech = kokoro_engine.synthesize(text, "jm_kumo")
    assert speech.sample_rate == KOKORO_SAMPLE_RATE
    assert len(speech.samples) == 0 and speech.samples.dtype == np.float32


def test_model_failures_become_synthesis_errors(kokoro_engine, monkeypatch):
    import kokoro_onnx

    def broken(*args, **kwargs):
        raise RuntimeError("onnx exploded")

    monkeypatch.setattr(kokoro_onnx.Kokoro, "create", broken)
    with pytest.raises(SynthesisError, match="onnx exploded") as caught:
        kokoro_engine.synthesize("Hello there.", "jm_kumo")
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_a_missing_model_is_unavailable_with_its_path(tmp_path):
    engine = KokoroOnnxEngine(model_path=tmp_path / "kokoro-v1.0.onnx", cache_dir=tmp_path)
    availability = engine.available()
    assert not availability and "kokoro-v1.0.onnx" in availability.reason
    with pytest.raises(EngineUnavailable):
        engine.synthesize("Hello.", "jm_kumo")


def test_a_corrupt_model_fails_to_load_once_and_says_why(tmp_path):
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not an onnx graph")
    engine = KokoroOnnxEngine(model_path=model, cache_dir=tmp_path)
    assert engine.available()  # the file is there; only loading can tell
    with pytest.raises(EngineUnavailable) as caught:
        engine.synthesize("Hello.", "jm_kumo")
    assert caught.value.__cause__ is not None
    availability = engine.available()
    assert not availability and "failed to load" in availability.reason


def test_device_follows_what_onnxruntime_offers(tmp_path, monkeypatch):
    import onnxruntime

    assert KokoroOnnxEngine(cache_dir=tmp_path).device in ("cpu", "cuda")
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert KokoroOnnxEngine(cache_dir=tmp_path).device == "cuda"
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CPUExecutionProvider"])
    assert KokoroOnnxEngine(cache_dir=tmp_path).device == "cpu"
