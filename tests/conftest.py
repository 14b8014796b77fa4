"""Fixtures shared across the suite: a deterministic engine for pipeline logic, isolated data folders."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from voxweave.tts.base import Availability, Speech, Voice

TONE_RATE = 24_000
#: The tone engine speaks this many seconds per character: a 40-character sentence lasts 2 s.
SECONDS_PER_CHAR = 0.05


class ToneEngine:
    """Speaks every text as a tone whose length follows the text: predictable timings, call counting.

    Used for the pipeline's and the jobs' logic; real speech is tested with the real engines.
    """

    name = "tone"
    max_chars = 200
    sample_rate = TONE_RATE

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def available(self) -> Availability:
        return Availability(True)

    def voices(self) -> list[Voice]:
        return [Voice(id="tone:a4", name="a4"), Voice(id="tone:c5", name="c5")]

    def default_voice(self) -> str:
        return "a4"

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        with self._lock:
            self.calls.append(text)
        seconds = len(text.strip()) * SECONDS_PER_CHAR / speed
        frequency = 440.0 if voice == "a4" else 523.25
        t = np.arange(int(seconds * TONE_RATE)) / TONE_RATE
        return Speech(samples=(0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32), sample_rate=TONE_RATE)


@pytest.fixture
def tone_engine() -> ToneEngine:
    return ToneEngine()


@pytest.fixture(scope="session")
def clip_file(tmp_path_factory):
    """A short real MP4 that the fake cloud hands out as every finished clip."""
    from voxweave.video.fake_cloud import make_test_clip

    return make_test_clip(tmp_path_factory.mktemp("fake-cloud") / "clip.mp4")


@pytest.fixture
def fake(clip_file):
    """Both cloud video APIs (Z.AI and DashScope) on 127.0.0.1, over real HTTP."""
    from voxweave.video.fake_cloud import FakeCloud

    with FakeCloud(clip=clip_file) as cloud:
        yield cloud


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Nothing a test does lands in the user's real data folder."""
    monkeypatch.setenv("VOXWEAVE_DATA_DIR", str(tmp_path_factory.getbasetemp() / "voxweave-data"))
    # Nothing may download at test time: engines that would fetch weights say they are unavailable.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("VOXWEAVE_ALLOW_MODEL_DOWNLOADS", "false")
