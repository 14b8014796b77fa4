"""`voxweave worker` as a real process: killed mid-job, the next worker resumes without redoing chunks;
stopped with SIGTERM, it leaves the job interrupted and resumable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import soundfile

from voxweave.config import Settings
from voxweave.jobs import JobQueue, NarrationRequest

from tests.jobs.conftest import book, wait_for
from tests.jobs.slow_tone import DELAY_VARIABLE, LOG_VARIABLE, read_log

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "slowtone=tests.jobs.slow_tone:SlowToneEngine"
REQUEST = NarrationRequest(voice="slowtone:a4", audio_format="wav", subtitle_formats=("srt",))
SENTENCES = 40


def worker_env(data: Path, log: Path, delay: float) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "VOXWEAVE_DATA_DIR": str(data),
        "VOXWEAVE_ENGINE_PLUGINS": PLUGIN,
        LOG_VARIABLE: str(log),
        DELAY_VARIABLE: str(delay),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    })
    return env


def start_worker(env: dict[str, str], console_script: bool) -> subprocess.Popen:
    script = Path(sys.executable).with_name("voxweave")
    command = [str(script), "worker"] if console_script and script.exists() else [
        sys.executable, "-m", "voxweave.jobs.worker"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_killed_worker_is_resumed_by_the_next_one_without_redoing_finished_chunks(tmp_path, monkeypatch):
    data, log = tmp_path / "data", tmp_path / "calls.log"
    env = worker_env(data, log, delay=0.08)
    queue = JobQueue(Settings(data_dir=data))
    job_id = queue.submit_narration("ann", "book.md", book(SENTENCES).encode(), REQUEST)

    first = start_worker(env, console_script=True)
    try:
        wait_for(lambda: queue.job("ann", job_id).progress >= 0.45, timeout=40, interval=0.01)
        first.kill()  # SIGKILL: no chance to clean up
        first.wait(timeout=10)
    finally:
        stop(first, signal.SIGKILL)
    killed = queue.job("ann", job_id)
    assert killed.status == "running" and killed.progress < 0.9  # left behind by a dead worker

    second = start_worker(env, console_script=False)
    try:
        job = wait_for(lambda: (j := queue.job("ann", job_id)).status not in ("queued", "running") and j,
                       timeout=40, interval=0.05)
    finally:
        assert stop(second) == 0, second.stderr.read().decode()
    assert job.status == "done", job.error
    assert (job.progress, job.attempts, job.crashes) == (1.0, 2, 1)

    calls = read_log(log)
    by_worker = {pid: [text for p, text in calls if p == pid] for pid in (first.pid, second.pid)}
    assert len(by_worker[first.pid]) >= SENTENCES * 0.4 and by_worker[second.pid]
    assert len(calls) == len(by_worker[first.pid]) + len(by_worker[second.pid])
    counts = Counter(text for _, text in calls)
    assert len(counts) == SENTENCES  # every chunk was spoken
    again = [text for text, n in counts.items() if n > 1]
    # Only the chunk in flight when the first worker died may have been spoken twice.
    assert len(again) <= 1 and all(n <= 2 for n in counts.values())
    if again:
        assert again == [by_worker[first.pid][-1]]

    # The same narration, uninterrupted, in this process: the same length to the sample.
    monkeypatch.setenv("VOXWEAVE_ENGINE_PLUGINS", PLUGIN)
    monkeypatch.setenv(DELAY_VARIABLE, "0")
    monkeypatch.delenv(LOG_VARIABLE, raising=False)
    reference = JobQueue(Settings(data_dir=tmp_path / "reference"))
    reference.start_runner(poll_s=0.05)
    try:
        ref_id = reference.submit_narration("ann", "book.md", book(SENTENCES).encode(), REQUEST)
        wait_for(lambda: reference.job("ann", ref_id).status == "done", timeout=30)
        resumed_audio = queue.outputs("ann", job_id)["audio"]
        reference_audio = reference.outputs("ann", ref_id)["audio"]
    finally:
        reference.close()
        queue.close()
    resumed, uninterrupted = soundfile.info(resumed_audio), soundfile.info(reference_audio)
    assert abs(resumed.duration - uninterrupted.duration) < 0.005
    assert uninterrupted.duration > SENTENCES * 1.0


def test_sigterm_leaves_the_running_job_interrupted_and_a_new_worker_finishes_it(tmp_path, monkeypatch):
    data, log = tmp_path / "data", tmp_path / "calls.log"
    env = worker_env(data, log, delay=0.05)
    queue = JobQueue(Settings(data_dir=data))
    job_id = queue.submit_narration("bob", "book.md", book(24).encode(), REQUEST)
    worker = start_worker(env, console_script=False)
    try:
        wait_for(lambda: queue.job("bob", job_id).progress >= 0.3, timeout=40, interval=0.01)
    finally:
        assert stop(worker) == 0, worker.stderr.read().decode()
    job = queue.job("bob", job_id)
    assert job.status == "interrupted" and job.crashes == 0

    # The next worker, here in this process (the app's in-process runner), resumes it on start.
    for name in ("VOXWEAVE_ENGINE_PLUGINS", LOG_VARIABLE, DELAY_VARIABLE):
        monkeypatch.setenv(name, env[name])
    queue.start_runner(poll_s=0.05)
    try:
        wait_for(lambda: queue.job("bob", job_id).status == "done", timeout=40, interval=0.05)
    finally:
        queue.close()
    texts = [text for _, text in read_log(log)]
    assert len(texts) == len(set(texts)) == 24  # a clean stop loses nothing: each chunk spoken once
