"""Real engines for the engine tests: Kokoro loads once per session, its cache in a temporary folder."""

from __future__ import annotations

import pytest

from voxweave.tts.base import Speech
from voxweave.tts.espeak import EspeakEngine
from voxweave.tts.kokoro_onnx import KokoroOnnxEngine

#: Common words pocketsphinx knows; Kokoro jm_kumo's reading of it is heard almost word for word.
SENTENCE = "Please call me tomorrow morning at the office."


@pytest.fixture(scope="session")
def kokoro_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("kokoro-cache")


@pytest.fixture(scope="session")
def kokoro_engine(kokoro_cache) -> KokoroOnnxEngine:
    engine = KokoroOnnxEngine(cache_dir=kokoro_cache)
    availability = engine.available()
    assert availability, availability.reason
    return engine


@pytest.fixture(scope="session")
def kumo_speech(kokoro_engine) -> Speech:
    """SENTENCE spoken by the default voice at normal speed, shared by several tests."""
    return kokoro_engine.synthesize(SENTENCE, "jm_kumo")


@pytest.fixture(scope="session")
def espeak_engine() -> EspeakEngine:
    return EspeakEngine()
