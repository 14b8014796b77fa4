"""Fixtures for the jobs: settings on a temporary data folder, engines for each behaviour, a queue whose
runner runs in this process, and a document of numbered sentences."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from voxweave.config import Settings
from voxweave.errors import SynthesisError
from voxweave.jobs import JobQueue
from voxweave.tts.base import Availability, Speech, Voice
from voxweave.tts.voices import parse_voice

RATE = 24_000
SECONDS_PER_CHAR = 0.02


class FastSettings(Settings):
    """The Settings with the jobs' fields set for fast tests (the library reads them with getattr)."""

    speech_cache_mb: float = 0
    job_heartbeat_seconds: float = 0.1
    job_poll_seconds: float = 0.05


class PacedEngine:
    """A tone per text that takes `delay` seconds; fails on texts containing `fail_on` (SynthesisError),
    or raises RuntimeError on every call when `broken`. Counts its calls."""

    max_chars = 200
    sample_rate = RATE

    def __init__(self, name: str = "tone", delay: float = 0.0, fail_on: str | None = None,
                 broken: bool = False, os_error: OSError | None = None) -> None:
        self.name = name
        self.os_error = os_error  # raised on every call, as a full or read-only disk would
        self.delay = delay
        self.fail_on = fail_on
        self.broken = broken
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def available(self) -> Availability:
        return Availability(True)

    def voices(self) -> list[Voice]:
        return [Voice(id=f"{self.name}:a4", name="a4")]

    def default_voice(self) -> str:
        return "a4"

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        if self.broken:
            raise RuntimeError("the model fell over")
        if self.os_error is not None:
            raise self.os_error
        if self.fail_on and self.fail_on in text:
            raise SynthesisError(f"the engine could not speak {text[:30]!r}")
        time.sleep(self.delay)
        with self._lock:
            self.calls.append(text)
        frames = int(len(text.strip()) * SECONDS_PER_CHAR / speed * RATE)
        return Speech(samples=np.full(frames, 0.1, dtype=np.float32), sample_rate=RATE)


def book(sentences: int = 40, per_paragraph: int = 4) -> str:
    """A Markdown document of unique numbered sentences, a few to a paragraph: one chunk per sentence
    (no heading, which the chunker would speak as a chunk of its own)."""
    words = ["harbour", "lantern", "orchard", "meadow", "river", "thunder", "violin", "granite"]
    lines = [f"Sentence {i + 1} tells of the {words[i % len(words)]} and of nothing else at all."
             for i in range(sentences)]
    paragraphs = [" ".join(lines[i:i + per_paragraph]) for i in range(0, sentences, per_paragraph)]
    return "\n\n".join(paragraphs) + "\n"


def wait_for(predicate: Callable[[], object], timeout: float = 20.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up after {timeout} s waiting for {predicate}")


@pytest.fixture
def settings(tmp_path) -> FastSettings:
    return FastSettings(data_dir=tmp_path / "data")


@pytest.fixture
def engines() -> dict[str, PacedEngine]:
    return {
        "tone": PacedEngine("tone", delay=0.03),
        "flaky": PacedEngine("flaky", fail_on="Sentence ten "),
        "broken": PacedEngine("broken", broken=True),
    }


@pytest.fixture
def resolver(engines):
    def resolve(voice_id: str):
        spec = parse_voice(voice_id)
        return engines[spec.engine], spec
    return resolve


@pytest.fixture
def queue(settings, resolver):
    """A JobQueue running its jobs in this process."""
    jobs = JobQueue(settings)
    jobs.start_runner(engines=resolver)
    yield jobs
    jobs.close()


@pytest.fixture
def idle_queue(settings):
    """A JobQueue with no runner: jobs stay queued."""
    jobs = JobQueue(settings)
    yield jobs
    jobs.close()
