"""Coqui TTS through its real loading code: a tiny two-speaker VITS built for the session.

Random weights speak nonsense; the tests check the plumbing a real model goes through: files,
TTS(model_path=..., config_path=...), speakers as voices, speed, sample rate, errors.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.engine_fixtures import coqui_installed, tiny_coqui  # noqa: F401 (fixtures)
from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, VoiceError
from voxweave.tts.base import Engine
from voxweave.tts.coqui import DEFAULT_MODEL, FALLBACK_SAMPLE_RATE, CoquiEngine

SENTENCE = "Hello there, my friend."


@pytest.fixture(scope="module")
def engine(tiny_coqui) -> CoquiEngine:  # noqa: F811
    return CoquiEngine(
        Settings(), model_path=tiny_coqui.model_path, config_path=tiny_coqui.config_path,
        device="cpu", allow_downloads=False,
    )


# --------------------------------------------------------------------------- without the model


def test_needs_both_files_and_names_the_missing_one(coqui_installed, tmp_path):  # noqa: F811
    only_model = CoquiEngine(Settings(), model_path=tmp_path / "model.pth", allow_downloads=False).available()
    assert not only_model and "VOXWEAVE_COQUI_CONFIG_PATH" in only_model.reason
    absent = CoquiEngine(
        Settings(), model_path=tmp_path / "model.pth", config_path=tmp_path / "config.json", allow_downloads=False
    ).available()
    assert not absent and "model.pth" in absent.reason


def test_a_named_model_is_for_online_users(coqui_installed, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("TTS_HOME", str(tmp_path))  # where Coqui keeps downloaded models
    offline = CoquiEngine(Settings(), allow_downloads=False)
    availability = offline.available()
    assert not availability and DEFAULT_MODEL in availability.reason
    assert "VOXWEAVE_COQUI_MODEL_PATH" in availability.reason
    assert offline.sample_rate == FALLBACK_SAMPLE_RATE
    assert [v.id for v in offline.voices()] == ["coqui:default"]  # listing never downloads
    assert CoquiEngine(Settings(), allow_downloads=True).available()


def test_a_failed_load_is_remembered(tmp_path, tiny_coqui):  # noqa: F811
    (tmp_path / "model.pth").write_bytes(b"garbage")
    engine = CoquiEngine(Settings(), model_path=tmp_path / "model.pth", config_path=tiny_coqui.config_path,
                         device="cpu", allow_downloads=False)
    with pytest.raises(EngineUnavailable, match="failed to load"):
        engine.load()
    assert "failed to load" in engine.available().reason


# --------------------------------------------------------------------------- the tiny model


def test_reads_the_sample_rate_from_the_config_before_loading(tiny_coqui):  # noqa: F811
    fresh = CoquiEngine(Settings(), model_path=tiny_coqui.model_path, config_path=tiny_coqui.config_path)
    assert fresh.sample_rate == tiny_coqui.sample_rate
    assert isinstance(fresh, Engine) and fresh.available()


def test_lists_the_speakers_as_voices(engine, tiny_coqui):  # noqa: F811
    assert [v.id for v in engine.voices()] == [f"coqui:{name}" for name in tiny_coqui.speakers]
    assert engine.default_voice() == "default"


@pytest.mark.parametrize("voice", ["default", "bob", "coqui:alice"])
def test_speaks_with_each_speaker(engine, tiny_coqui, voice):  # noqa: F811
    speech = engine.synthesize(SENTENCE, voice)
    assert speech.sample_rate == tiny_coqui.sample_rate
    assert speech.samples.dtype == np.float32 and np.isfinite(speech.samples).all()
    assert 0.1 < speech.duration < 20 and float(np.abs(speech.samples).max()) > 0
    assert speech.words is None  # Coqui gives no word timings


def test_speed_goes_through_the_length_scale_and_is_restored(engine):
    model = engine.load().synthesizer.tts_model
    scale = model.length_scale
    slow = engine.synthesize(SENTENCE, "alice", speed=0.5)
    fast = engine.synthesize(SENTENCE, "alice", speed=2.0)
    assert fast.duration < slow.duration
    assert model.length_scale == scale


def test_refuses_unknown_speakers_blends_and_bad_speeds(engine):
    with pytest.raises(VoiceError, match="no speaker 'carol'"):
        engine.synthesize(SENTENCE, "carol")
    with pytest.raises(VoiceError, match="cannot blend"):
        engine.synthesize(SENTENCE, "alice*0.5+bob*0.5")
    with pytest.raises(VoiceError, match="belongs to engine"):
        engine.synthesize(SENTENCE, "piper:alice")
    with pytest.raises(ValueError, match="speed"):
        engine.synthesize(SENTENCE, "alice", speed=0.1)


def test_empty_text_gives_empty_speech(engine):
    assert engine.synthesize("  ", "bob").duration == 0
