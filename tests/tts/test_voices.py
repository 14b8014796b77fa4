"""Voice ids: engine:voice and weighted blends, parsed in one place."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voxweave.errors import VoiceError
from voxweave.tts.voices import parse_engine_voice, parse_voice


def test_a_single_voice():
    spec = parse_voice("kokoro-onnx:jm_kumo")
    assert (spec.engine, spec.components, spec.is_blend) == ("kokoro-onnx", (("jm_kumo", 1.0),), False)
    assert spec.name == "jm_kumo" and str(spec) == "kokoro-onnx:jm_kumo"


def test_the_engine_defaults_when_missing():
    assert parse_voice("en-gb", default_engine="espeak").engine == "espeak"
    assert parse_voice("kokoro-onnx:jm_kumo", default_engine="espeak").engine == "kokoro-onnx"


def test_blend_weights_are_normalised():
    spec = parse_voice(" kokoro-onnx : jm_kumo * 3 + jf_alpha * 1 ")
    assert spec.components == (("jm_kumo", 0.75), ("jf_alpha", 0.25))
    assert spec.is_blend and spec.name == "jm_kumo*0.75+jf_alpha*0.25"
    assert parse_voice(str(spec)) == spec


def test_unweighted_blends_share_equally_and_repeats_merge():
    assert parse_voice("k:a+b").components == (("a", 0.5), ("b", 0.5))
    assert parse_voice("k:a*1+b*2+a*1").components == (("a", 0.5), ("b", 0.5))


@pytest.mark.parametrize(
    "voice_id, problem",
    [
        ("jm_kumo", "engine:voice"),
        ("kokoro-onnx:", "engine:voice"),
        (":jm_kumo", "engine:voice"),
        ("k:a*0.5+b", "every voice"),
        ("k:a*0+b*0", "more than zero"),
        ("k:a b", "cannot read"),
        ("k:a*-1", "cannot read"),
        ("k:a++b", "cannot read"),
    ],
)
def test_malformed_ids_are_refused_with_the_reason(voice_id, problem):
    with pytest.raises(VoiceError, match=problem):
        parse_voice(voice_id)


@given(st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=5))
def test_weights_always_sum_to_one(weights):
    voice_id = "k:" + "+".join(f"v{i}*{w}" for i, w in enumerate(weights))
    assert sum(w for _, w in parse_voice(voice_id).components) == pytest.approx(1.0)


def test_an_engine_reads_a_bare_name_as_its_own_voice():
    assert str(parse_engine_voice("af_heart*0.7+am_adam*0.3", "kokoro")) == "kokoro:af_heart*0.7+am_adam*0.3"
    assert parse_engine_voice("kokoro:af_heart", "kokoro").name == "af_heart"


def test_an_engine_refuses_another_engines_voice():
    with pytest.raises(VoiceError, match="belongs to engine 'piper', not 'kokoro'"):
        parse_engine_voice("piper:en_US-joe-medium", "kokoro")
