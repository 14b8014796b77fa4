"""The JSON bridge as its callers run it: a real subprocess, one JSON object in, a WAV and one JSON
object out, and clear failures that leave no file behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import ToneEngine
from voxweave.bridge import BridgeRequest, RequestError
from voxweave.errors import SynthesisError
from voxweave.tts.base import Availability
from voxweave.tts.plugins import PLUGINS_VARIABLE

REPO = Path(__file__).resolve().parents[1]
#: A bridge call imports the library and starts espeak: well under this even on a busy machine.
BRIDGE_TIMEOUT_S = 120
PLUGINS = ",".join(
    f"{name}=tests.test_bridge:{cls}"
    for name, cls in (("noisy", "NoisyEngine"), ("missing", "MissingEngine"), ("failing", "FailingEngine"))
)


class NoisyEngine(ToneEngine):
    """Prints to stdout from Python and from C while speaking, as some engines do."""

    name = "noisy"

    def synthesize(self, text, voice, speed=1.0):
        print("chatter from python")
        os.write(1, b"chatter from C\n")
        return super().synthesize(text, voice, speed)


class MissingEngine(ToneEngine):
    name = "missing"

    def available(self):
        return Availability(False, "not installed: somepackage (pip install 'voxweave[missing]')")


class FailingEngine(ToneEngine):
    name = "failing"

    def synthesize(self, text, voice, speed=1.0):
        raise SynthesisError("the model fell over")


def bridge(request: dict | str, **env: str) -> subprocess.CompletedProcess[str]:
    payload = request if isinstance(request, str) else json.dumps(request)
    environment = {**os.environ, "PYTHONPATH": str(REPO), PLUGINS_VARIABLE: PLUGINS, **env}
    return subprocess.run(
        [sys.executable, "-m", "voxweave.bridge"], input=payload, capture_output=True, text=True,
        cwd=REPO, env=environment, timeout=BRIDGE_TIMEOUT_S, check=False,
    )


def answer_of(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # stdout holds the answer and nothing else
    return json.loads(lines[0])


def test_speaks_into_a_wav_at_the_requested_rate(tmp_path):
    out = tmp_path / "hello.wav"
    answer = answer_of(bridge({"text": "Hello world, this is a test.", "output": str(out), "sample_rate": 16000,
                               "voice": "espeak:en-us", "speed": 1.0}))
    samples, rate = soundfile.read(out, dtype="float32")
    assert rate == 16000 and samples.ndim == 1
    assert answer["duration"] == pytest.approx(len(samples) / rate, abs=1e-3)
    assert 0.8 < answer["duration"] < 5 and float(np.sqrt(np.mean(samples**2))) > 0.01
    assert answer["engine"] == "espeak" and answer["voice"] == "espeak:en-us" and answer["sample_rate"] == 16000
    assert [p.name for p in tmp_path.iterdir()] == ["hello.wav"]  # no temporary left beside it


def test_engine_picks_the_engine_of_a_voice_without_prefix(tmp_path):
    out = tmp_path / "gb.wav"
    answer = answer_of(bridge({"text": "Good morning.", "output": str(out), "sample_rate": 22050,
                               "voice": "en-gb", "speed": 1.5, "engine": "espeak"}))
    assert answer["voice"] == "espeak:en-gb" and soundfile.info(out).samplerate == 22050


def test_empty_text_writes_an_empty_wav(tmp_path):
    out = tmp_path / "silence.wav"
    answer = answer_of(bridge({"text": "  ", "output": str(out), "sample_rate": 24000, "voice": "espeak:en-us",
                               "speed": 1.0}))
    assert answer["duration"] == 0.0
    info = soundfile.info(out)
    assert info.frames == 0 and info.samplerate == 24000


def test_what_engines_print_never_reaches_stdout(tmp_path):
    result = bridge({"text": "Some words.", "output": str(tmp_path / "a.wav"), "sample_rate": 24000,
                     "voice": "noisy:a4", "speed": 1.0})
    assert answer_of(result)["engine"] == "noisy"
    assert "chatter from python" in result.stderr and "chatter from C" in result.stderr


@pytest.mark.parametrize(
    ("request_text", "code", "message"),
    [
        ("{not json", 2, "not valid JSON"),
        ('["a list"]', 2, "one JSON object"),
        ('{"text": "Hi", "output": "X", "sample_rate": "fast"}', 2, "sample_rate"),
        ('{"text": "Hi", "output": "X", "voice": "festival:kal"}', 4, "unknown engine 'festival'"),
        ('{"text": "Hi", "output": "X", "voice": "missing:a4"}', 4, "voxweave[missing]"),
        ('{"text": "Hi", "output": "X", "voice": "failing:a4"}', 4, "the model fell over"),
    ],
)
def test_failures_are_one_line_and_leave_no_file(tmp_path, request_text, code, message):
    out = tmp_path / "out.wav"
    result = bridge(request_text.replace('"X"', json.dumps(str(out))))
    assert result.returncode == code
    assert result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("voxweave bridge: error:") and message in last
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_request_parsing_names_what_is_wrong():
    request = BridgeRequest.from_json('{"text": "Hi", "output": "~/a.wav", "speed": 1, "sample_rate": 8000}')
    assert request.output == Path("~/a.wav").expanduser() and request.speed == 1.0 and request.voice is None
    for raw, problem in [
        ('{"output": "a.wav"}', "'text' is missing"),
        ('{"text": "Hi", "output": ""}', "'output' is empty"),
        ('{"text": "Hi", "output": "a.wav", "speed": 0}', "'speed'"),
        ('{"text": "Hi", "output": "a.wav", "sample_rate": 1000}', "outside"),
        ('{"text": 3, "output": "a.wav"}', "'text' must be a str"),
    ]:
        with pytest.raises(RequestError, match=problem):
            BridgeRequest.from_json(raw)
