"""Kokoro on PyTorch through its real loading code: a tiny random checkpoint built for the session.

Random weights speak nonsense, so these tests check the plumbing that real weights go through:
files found, model loaded once per process, G2P offline (spaCy shim), voices and blends, and word
timings that lie inside the audio and rise. CPU here; the same code runs on CUDA.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest

from tests.engine_fixtures import TINY_KOKORO_VOICES, kokoro_installed, tiny_kokoro_dir  # noqa: F401 (fixtures)
from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, VoiceError
from voxweave.tts import device as device_module
from voxweave.tts import kokoro_torch
from voxweave.tts.base import Engine, Speech, WordTiming
from voxweave.tts.kokoro_torch import (
    KOKORO_SAMPLE_RATE,
    KokoroTorchEngine,
    join_speech,
    lang_code_of,
    words_of,
)

SENTENCE = "Hello there, my friend. How are you today?"
WRITTEN_WORDS = ["Hello", "there,", "my", "friend.", "How", "are", "you", "today?"]


@pytest.fixture(scope="module")
def engine(tiny_kokoro_dir) -> KokoroTorchEngine:  # noqa: F811
    return KokoroTorchEngine(Settings(), model_dir=tiny_kokoro_dir, device="cpu", allow_downloads=False)


@pytest.fixture(scope="module")
def speech(engine) -> Speech:
    return engine.synthesize(SENTENCE, "af_tiny")


@pytest.fixture
def offline(kokoro_installed, monkeypatch):  # noqa: F811
    """No Hugging Face cache and no downloads, whatever this machine has."""
    monkeypatch.setattr(kokoro_torch, "_hub_cached", lambda filename: None)


# --------------------------------------------------------------------------- without the model


def test_names_the_missing_folder_and_files(tmp_path, offline):
    engine = KokoroTorchEngine(Settings(), model_dir=tmp_path / "nowhere", allow_downloads=False)
    availability = engine.available()
    assert not availability and "config.json" in availability.reason
    assert "VOXWEAVE_KOKORO_MODEL_DIR" in availability.reason


def test_offline_without_weights_says_which_setting_to_use(offline):
    availability = KokoroTorchEngine(Settings(), allow_downloads=False).available()
    assert not availability and "VOXWEAVE_KOKORO_MODEL_DIR" in availability.reason


def test_online_users_get_the_hub_and_its_voices(offline):
    engine = KokoroTorchEngine(Settings(), allow_downloads=True)
    assert engine.locate_weights().config is None  # fetched by KModel on first load
    assert engine.default_voice() == "af_heart"
    assert {"kokoro:af_heart", "kokoro:bm_george"} <= {v.id for v in engine.voices()}


def test_hf_hub_offline_forbids_downloads(monkeypatch, offline):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert not KokoroTorchEngine(Settings()).available()


def test_a_failed_load_is_remembered_and_reported(tmp_path, tiny_kokoro_dir, offline):  # noqa: F811
    (tmp_path / "config.json").write_bytes((tiny_kokoro_dir / "config.json").read_bytes())
    (tmp_path / "kokoro-v1_0.pth").write_bytes(b"not a checkpoint")
    engine = KokoroTorchEngine(Settings(), model_dir=tmp_path, device="cpu", allow_downloads=False)
    assert engine.available()
    with pytest.raises(EngineUnavailable, match="failed to load"):
        engine.load()
    availability = engine.available()
    assert not availability and "failed to load" in availability.reason


def test_words_of_attaches_punctuation_and_clamps():
    def token(text, start=None, end=None, whitespace=" "):
        return SimpleNamespace(text=text, start_ts=start, end_ts=end, whitespace=whitespace)

    tokens = [
        token("“", whitespace=""), token("Hi", 0.1, 0.4, ""), token(",", 0.4, 0.5), token("you", 0.5, 0.9, ""),
        token("”", whitespace=""), token("!", 0.9, 1.0, ""),
    ]
    assert words_of(tokens, duration=0.8) == (WordTiming("“Hi,", 0.1, 0.4), WordTiming("you”!", 0.5, 0.8))
    assert words_of([token("Hi", 0.1, 0.4), token("there")], duration=1.0) is None  # an untimed word: none
    assert words_of(None, duration=1.0) is None


def test_join_speech_moves_each_pass_by_the_audio_before_it():
    first = Speech(np.zeros(24_000, np.float32), KOKORO_SAMPLE_RATE, (WordTiming("a", 0.1, 0.5),))
    second = Speech(np.zeros(12_000, np.float32), KOKORO_SAMPLE_RATE, (WordTiming("b", 0.0, 0.4),))
    joined = join_speech([first, second], KOKORO_SAMPLE_RATE)
    assert joined.duration == pytest.approx(1.5)
    assert joined.words == (WordTiming("a", 0.1, 0.5), WordTiming("b", 1.0, 1.4))
    assert join_speech([first, Speech(np.zeros(10, np.float32), KOKORO_SAMPLE_RATE)], KOKORO_SAMPLE_RATE).words is None


def test_voice_names_choose_the_language():
    assert [lang_code_of(v) for v in ("af_heart", "bm_lewis", "ff_siwis", "jm_kumo", "custom", "/x/bf_me.pt")] == [
        "a", "b", "f", "j", "a", "b",
    ]


def test_device_selection_follows_torch(kokoro_installed):  # noqa: F811
    import torch

    assert device_module.select_device("cpu") == "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device_module.select_device("auto") == expected
    if not torch.cuda.is_available():
        assert device_module.gpu_memory() is None
        with pytest.raises(EngineUnavailable, match="no CUDA"):
            device_module.select_device("cuda")
    with pytest.raises(ValueError):
        device_module.select_device("tpu")
    assert device_module.device_lock("cuda") is device_module.device_lock("cuda:0")


def test_auto_picks_cuda_when_torch_sees_a_gpu(monkeypatch):
    monkeypatch.setattr(device_module, "cuda_available", lambda: True)
    assert device_module.select_device("auto") == "cuda"
    assert device_module.select_device("cuda:1") == "cuda:1"
    assert device_module.select_device("cpu") == "cpu"
    engine = KokoroTorchEngine(Settings(), device="auto", allow_downloads=True)
    assert engine.device == "cuda"


def test_downloads_follow_the_setting_and_hf_hub_offline(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("VOXWEAVE_ALLOW_MODEL_DOWNLOADS", raising=False)
    assert device_module.downloads_allowed(Settings())
    assert not device_module.downloads_allowed(SimpleNamespace(allow_model_downloads=False))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert not device_module.downloads_allowed(Settings())


# --------------------------------------------------------------------------- the tiny model


def test_is_an_available_engine_listing_the_folder_voices(engine):
    assert isinstance(engine, Engine)
    availability = engine.available()
    assert availability, availability.reason
    assert [v.name for v in engine.voices()] == sorted(TINY_KOKORO_VOICES)
    assert engine.default_voice() == "af_tiny"


def test_speaks_through_the_real_loading_code(engine, speech):
    assert speech.sample_rate == KOKORO_SAMPLE_RATE == engine.sample_rate
    assert speech.samples.dtype == np.float32 and np.isfinite(speech.samples).all()
    assert 0.2 < speech.duration < 10
    assert float(np.abs(speech.samples).max()) > 0
    assert engine.device == "cpu"


def test_word_timings_cover_the_words_rise_and_lie_inside_the_audio(speech):
    assert speech.words is not None
    assert [w.word for w in speech.words] == WRITTEN_WORDS
    starts = [w.start for w in speech.words]
    assert starts == sorted(starts) and starts[0] >= 0
    assert all(w.start <= w.end <= speech.duration for w in speech.words)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(speech.words, speech.words[1:]))


def test_stream_yields_passes_with_their_own_timings(engine):
    parts = list(engine.stream("Good morning.", "af_tiny"))
    assert parts and all(p.words is not None and p.sample_rate == KOKORO_SAMPLE_RATE for p in parts)


def test_blends_are_the_weighted_mean_of_voices(engine):
    female, male = engine.style_of("af_tiny"), engine.style_of("kokoro:am_tiny")
    blend = engine.style_of("af_tiny*0.75+am_tiny*0.25")
    assert tuple(blend.shape) == (510, 1, 256)
    assert np.allclose(blend.numpy(), 0.75 * female.numpy() + 0.25 * male.numpy(), atol=1e-6)
    spoken = engine.synthesize("Good morning.", "af_tiny*0.75+am_tiny*0.25")
    assert spoken.duration > 0 and spoken.words


def test_one_model_per_process_shared_by_threads(engine, tiny_kokoro_dir):  # noqa: F811
    other = KokoroTorchEngine(Settings(), model_dir=tiny_kokoro_dir, device="cpu", allow_downloads=False)
    assert other.load() is engine.load()
    seen: list[int] = []
    lock = threading.Lock()

    def speak(text: str) -> float:
        result = other.synthesize(text, "am_tiny")
        with lock:
            seen.append(threading.get_ident())
        return result.duration

    with ThreadPoolExecutor(max_workers=2) as pool:
        durations = list(pool.map(speak, ["One two.", "Three four."]))
    assert all(d > 0 for d in durations) and len(seen) == 2


def test_refuses_bad_voices_and_speeds(engine):
    with pytest.raises(VoiceError, match="no voice 'af_missing'"):
        engine.synthesize("Hello.", "af_missing")
    with pytest.raises(VoiceError, match="belongs to engine"):
        engine.synthesize("Hello.", "espeak:en-us")
    with pytest.raises(ValueError, match="speed"):
        engine.synthesize("Hello.", "af_tiny", speed=3.0)


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_gives_empty_speech(engine, text):
    speech = engine.synthesize(text, "af_tiny")
    assert speech.duration == 0 and speech.words == ()


def test_speed_shortens_the_audio(engine):
    slow = engine.synthesize("Good morning.", "af_tiny", speed=0.5)
    fast = engine.synthesize("Good morning.", "af_tiny", speed=2.0)
    assert fast.duration < slow.duration
