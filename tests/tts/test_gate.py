"""The speech gate: one speaker at a time, previews ahead of job chunks, and a Studio that relies on it."""

from __future__ import annotations

import threading
import time

import pytest

from tests.jobs.conftest import book, wait_for
from tests.jobs.slow_tone import DELAY_VARIABLE, LOG_VARIABLE, read_log
from voxweave.config import Settings
from voxweave.jobs import NarrationRequest
from voxweave.tts.gate import JOB, PREVIEW, GatedEngine, PriorityGate

PLUGIN = "slowtone=tests.jobs.slow_tone:SlowToneEngine"
#: Seconds each slow-tone chunk takes in the Studio test.
CHUNK_DELAY = 0.25


def _waiter(gate: PriorityGate, priority: int, name: str, served: list[str]) -> threading.Thread:
    def wait() -> None:
        try:
            with gate.hold(priority):
                served.append(name)
        except Exception as e:  # noqa: BLE001 - a waiter that gave up is recorded, not raised in the thread
            served.append(f"{name} gave up: {e}")

    thread = threading.Thread(target=wait, name=name, daemon=True)
    thread.start()
    return thread


def test_waiters_are_served_by_priority_then_arrival():
    gate, served = PriorityGate(), []
    release = threading.Event()
    holder = threading.Thread(target=lambda: _hold_until(gate, release), daemon=True)
    holder.start()
    wait_for(lambda: gate.waiting == 0 and gate._busy)
    threads = []
    for priority, name in ((JOB, "job-1"), (JOB, "job-2"), (PREVIEW, "preview"), (JOB, "job-3")):
        threads.append(_waiter(gate, priority, name, served))
        wait_for(lambda n=len(threads): gate.waiting == n)  # queued in this order
    release.set()
    for thread in (holder, *threads):
        thread.join(5)
    assert served == ["preview", "job-1", "job-2", "job-3"]


def _hold_until(gate: PriorityGate, release: threading.Event) -> None:
    with gate.hold(JOB):
        release.wait(5)


def test_a_waiter_interrupted_while_waiting_does_not_block_the_others():
    """An exception raised inside Condition.wait (as a KeyboardInterrupt would be) leaves the queue clean."""
    gate, served = PriorityGate(), []
    release = threading.Event()
    holder = threading.Thread(target=lambda: _hold_until(gate, release), daemon=True)
    holder.start()
    wait_for(lambda: gate._busy)

    real_wait = gate._condition.wait
    interrupted = []

    def wait_then_fail(timeout=None):
        if threading.current_thread().name == "doomed":
            interrupted.append(True)
            raise KeyboardInterrupt
        return real_wait(timeout)

    gate._condition.wait = wait_then_fail
    outcome: list[BaseException] = []

    def doomed() -> None:
        try:
            with gate.hold(PREVIEW):
                served.append("doomed")
        except BaseException as e:  # noqa: BLE001 - the test looks at what came out
            outcome.append(e)

    doomed_thread = threading.Thread(target=doomed, name="doomed", daemon=True)
    doomed_thread.start()
    doomed_thread.join(5)
    assert interrupted and isinstance(outcome[0], KeyboardInterrupt)
    assert gate.waiting == 0

    later = _waiter(gate, JOB, "job", served)
    wait_for(lambda: gate.waiting == 1)
    release.set()
    later.join(5)
    assert served == ["job"]
    assert gate.waiting == 0 and not gate._busy


def test_an_interrupted_head_of_queue_lets_the_next_waiter_in():
    """The first waiter in line gives up after the holder has left: the next one must not wait forever."""
    gate, served = PriorityGate(), []
    release = threading.Event()
    holder = threading.Thread(target=lambda: _hold_until(gate, release), daemon=True)
    holder.start()
    wait_for(lambda: gate._busy)
    real_wait = gate._condition.wait

    def wait(timeout=None):
        result = real_wait(timeout)
        if threading.current_thread().name == "preview" and not gate._busy:
            raise RuntimeError("the session went away")
        return result

    gate._condition.wait = wait
    first = _waiter(gate, PREVIEW, "preview", served)
    wait_for(lambda: gate.waiting == 1)
    second = _waiter(gate, JOB, "job", served)
    wait_for(lambda: gate.waiting == 2)
    release.set()
    for thread in (holder, first, second):
        thread.join(5)
    assert served == ["preview gave up: the session went away", "job"]
    assert gate.waiting == 0


def test_gated_engine_speaks_through_the_gate_and_passes_attributes_through(tone_engine):
    gate = PriorityGate()
    gated = GatedEngine(tone_engine, gate, PREVIEW)
    assert (gated.name, gated.max_chars, gated.sample_rate) == ("tone", 200, 24_000)
    assert gated.default_voice() == "a4"
    assert [v.id for v in gated.voices()] == ["tone:a4", "tone:c5"]
    assert gated.calls is tone_engine.calls

    inside = []
    real = tone_engine.synthesize

    def spying(text, voice, speed=1.0):
        inside.append(gate._busy)
        return real(text, voice, speed)

    tone_engine.synthesize = spying
    speech = gated.synthesize("Twenty characters!!!", "a4")
    assert inside == [True] and not gate._busy
    assert speech.duration == pytest.approx(1.0)
    with pytest.raises(AttributeError):
        gated.no_such_thing  # noqa: B018


def test_a_preview_jumps_ahead_of_long_narrations(tmp_path, monkeypatch):
    """Three narrations on three lanes keep two chunks waiting at the gate at every moment: a preview
    asked meanwhile is spoken as soon as the chunk in progress ends, before either of them."""
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("VOXWEAVE_ENGINE_PLUGINS", PLUGIN)
    monkeypatch.setenv(DELAY_VARIABLE, str(CHUNK_DELAY))
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    from voxweave.service import Studio

    settings = Settings(data_dir=tmp_path / "data", default_voice="slowtone:a4", job_devices=["a", "b", "c"],
                        job_poll_seconds=0.05, job_heartbeat_seconds=0.1)
    studio = Studio(settings)
    try:
        sentences = 20  # one chunk each: each job needs 20 chunks, the three 60 x CHUNK_DELAY = 15 s
        texts = [book(sentences).replace("Sentence", f"Line {n}:") for n in range(3)]  # no chunk cached for another
        job_ids = [studio.submit_narration("ana", f"long-{n}.md", text.encode(), NarrationRequest(audio_format="wav"))
                   for n, text in enumerate(texts)]
        wait_for(lambda: all(studio.job("ana", j).status == "running" for j in job_ids))
        wait_for(lambda: studio.gate.waiting >= 2 and len(read_log(log)) >= 4)

        passage = "A passage no chunk of the books holds, spoken at once."
        before = len(read_log(log))
        started = time.perf_counter()
        preview = studio.preview(passage, "slowtone:a4")
        latency = time.perf_counter() - started

        texts = [text for _, text in read_log(log)]
        jumped = texts.index(passage) - before  # job chunks that began after the preview was asked
        assert not preview.cached and preview.seconds > 0
        assert jumped <= 1, f"{jumped} job chunks went before the preview"
        # The chunk in progress, then its own synthesis: about 2 delays, far from the jobs' 15 s.
        assert latency < 3 * CHUNK_DELAY, f"the preview waited {latency:.2f} s"
        assert all(studio.job("ana", j).status == "running" for j in job_ids), "the preview waited for a job"
    finally:
        studio.close()
