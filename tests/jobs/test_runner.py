"""The runner in this process: progress and ETA, cancel, resume, retry, failures, clean shutdown."""

from __future__ import annotations

import time

import pytest

from voxweave.jobs import JobStateError, NarrationRequest
from voxweave.jobs.store import JobStore

from tests.jobs.conftest import book, wait_for

WAV = NarrationRequest(voice="tone:a4", audio_format="wav", subtitle_formats=("srt",))


def finished(queue, owner, job_id):
    job = queue.job(owner, job_id)
    return job if job.status not in ("queued", "running") else None


def chunk_files(queue, owner, job_id):
    return list(queue.files.folder(owner, job_id).work.rglob("*.npz"))


def test_progress_only_moves_forward_reaches_one_exactly_when_done_and_has_an_eta(queue, engines, monkeypatch):
    writes = []
    real_report = JobStore.report
    monkeypatch.setattr(JobStore, "report", lambda self, *a, **k: writes.append(1) or real_report(self, *a, **k))
    job_id = queue.submit_narration("ann", "book.md", book(40).encode(), WAV)
    seen = []
    while True:
        job = queue.job("ann", job_id)
        seen.append(job)
        if job.status not in ("queued", "running"):
            break
        time.sleep(0.01)

    assert job.status == "done", job.error
    progress = [j.progress for j in seen]
    assert progress == sorted(progress)
    assert all(j.progress < 1.0 for j in seen if j.status != "done") and seen[-1].progress == 1.0
    synthesising = [j for j in seen if j.status == "running" and j.stage == "synthesise" and j.progress > 0.05]
    assert len(synthesising) > 5 and all(j.eta_seconds is not None and j.eta_seconds > 0 for j in synthesising)
    assert job.eta_seconds is None
    # Writes are bounded in time, not one per chunk: 40 chunks of 30 ms take ~1.2 s.
    assert len(engines["tone"].calls) == 40 and len(writes) < 15
    assert {o.role for o in job.outputs} == {"audio", "subtitles.srt"}
    outputs = queue.outputs("ann", job_id)
    assert outputs["audio"].name == "book.wav" and outputs["audio"].stat().st_size > 0


def test_cancel_stops_within_seconds_keeps_finished_chunks_and_resume_finishes_the_rest(queue, engines):
    engines["tone"].delay = 0.05
    job_id = queue.submit_narration("ann", "book.md", book(40).encode(), WAV)
    wait_for(lambda: queue.job("ann", job_id).progress > 0.25)
    asked = time.monotonic()
    assert queue.cancel("ann", job_id).cancel_requested
    job = wait_for(lambda: finished(queue, "ann", job_id), timeout=5)
    assert job.status == "cancelled" and time.monotonic() - asked < 3
    kept = len(chunk_files(queue, "ann", job_id))
    assert kept >= 10 and kept == len(engines["tone"].calls)
    assert not queue.outputs("ann", job_id) and not list(queue.files.folder("ann", job_id).out.glob("*.wav"))

    assert queue.resume("ann", job_id).status in ("queued", "running")
    job = wait_for(lambda: finished(queue, "ann", job_id))
    assert job.status == "done" and job.progress == 1.0
    assert sorted(engines["tone"].calls) == sorted(set(engines["tone"].calls)) and len(engines["tone"].calls) == 40


def test_a_failing_engine_fails_its_job_with_stage_and_message_and_the_runner_goes_on(queue, engines):
    broken = queue.submit_narration("ann", "a.md", book(8).encode(), NarrationRequest(voice="broken:a4", audio_format="wav"))
    flaky = queue.submit_narration("ann", "b.md", book(12).encode(), NarrationRequest(voice="flaky:a4", audio_format="wav"))
    fine = queue.submit_narration("ann", "c.md", book(8).encode(), WAV)
    jobs = {job_id: wait_for(lambda job_id=job_id: finished(queue, "ann", job_id)) for job_id in (broken, flaky, fine)}

    assert jobs[broken].status == "failed" and jobs[broken].stage == "synthesise"
    assert jobs[broken].error == "unexpected RuntimeError: the model fell over"
    assert jobs[flaky].status == "failed" and jobs[flaky].stage == "synthesise"
    assert jobs[flaky].error.startswith("the engine could not speak 'Sentence ten ")
    assert jobs[fine].status == "done"

    engines["flaky"].fail_on = None
    retried = queue.retry("ann", flaky)
    assert retried.status == "queued" and retried.progress == 0 and retried.error is None
    job = wait_for(lambda: finished(queue, "ann", flaky))
    assert job.status == "done" and job.attempts == 2
    assert len(engines["flaky"].calls) == 12  # the 9 chunks made before the failure were kept


def test_unreadable_input_fails_at_the_read_stage(queue):
    job_id = queue.submit_narration("ann", "empty.md", b"   \n", WAV)
    job = wait_for(lambda: finished(queue, "ann", job_id))
    assert job.status == "failed" and job.stage == "read" and "empty" in job.error


def test_actions_need_the_right_status(queue, idle_queue):
    job_id = idle_queue.submit_narration("ann", "book.md", book(4).encode(), WAV)
    with pytest.raises(JobStateError):
        idle_queue.resume("ann", job_id)
    with pytest.raises(JobStateError):
        idle_queue.retry("ann", job_id)
    assert idle_queue.cancel("ann", job_id).status == "cancelled"  # a queued job stops at once
    with pytest.raises(JobStateError):
        idle_queue.cancel("ann", job_id)
    queue.runner.wake()
    # The live runner may claim the re-queued job before retry() reads the row back.
    assert idle_queue.retry("ann", job_id).status in ("queued", "running")
    job = wait_for(lambda: finished(queue, "ann", job_id))
    assert job.status == "done"
    for action in (idle_queue.resume, idle_queue.retry, idle_queue.cancel):
        with pytest.raises(JobStateError):
            action("ann", job_id)
    idle_queue.delete("ann", job_id)
    assert not idle_queue.files.folder("ann", job_id).root.exists() and not idle_queue.jobs_of("ann")


def test_a_clean_stop_leaves_the_job_interrupted_and_the_next_runner_resumes_it(settings, resolver, engines):
    from voxweave.jobs import JobQueue

    engines["tone"].delay = 0.05
    first = JobQueue(settings)
    first.start_runner(engines=resolver)
    job_id = first.submit_narration("ann", "book.md", book(40).encode(), WAV)
    wait_for(lambda: first.job("ann", job_id).progress > 0.2)
    first.stop_runner()
    job = first.job("ann", job_id)
    assert job.status == "interrupted" and 0.2 < job.progress < 0.9
    done_before = len(engines["tone"].calls)
    first.close()

    second = JobQueue(settings)
    second.start_runner(engines=resolver)
    try:
        job = wait_for(lambda: finished(second, "ann", job_id))
    finally:
        second.close()
    assert job.status == "done" and job.attempts == 2 and job.crashes == 0
    assert len(engines["tone"].calls) == 40 and len(set(engines["tone"].calls)) == 40 and done_before >= 8


def test_a_job_makes_word_level_and_karaoke_subtitles_when_asked(queue):
    request = NarrationRequest(voice="tone:a4", audio_format="wav",
                               subtitle_formats=("srt", "words.srt", "words.vtt", "karaoke.ass"))
    job_id = queue.submit_narration("ann", "book.md", book(4).encode(), request)
    job = wait_for(lambda: finished(queue, "ann", job_id))
    assert job.status == "done", job.error
    outputs = queue.outputs("ann", job_id)
    assert {"subtitles.srt", "subtitles.words.srt", "subtitles.words.vtt", "subtitles.karaoke.ass"} <= set(outputs)
    assert "\\k" in outputs["subtitles.karaoke.ass"].read_text(encoding="utf-8")


def test_an_unknown_subtitle_format_is_refused_with_the_good_ones(idle_queue):
    with pytest.raises(ValueError, match="words.srt"):
        idle_queue.submit_narration("ann", "book.md", b"Some text.", NarrationRequest(subtitle_formats=("sbv",)))


def test_a_full_disk_fails_the_job_with_what_to_do_and_retry_finishes_it(queue, engines):
    import errno

    engines["tone"].os_error = OSError(errno.ENOSPC, "No space left on device")
    job_id = queue.submit_narration("ann", "book.md", book(4).encode(), WAV)
    job = wait_for(lambda: finished(queue, "ann", job_id))
    assert job.status == "failed"
    assert "disk is full" in job.error and "Retry" in job.error
    engines["tone"].os_error = None
    queue.retry("ann", job_id)
    assert wait_for(lambda: finished(queue, "ann", job_id)).status == "done"


def test_a_read_only_data_folder_says_so(queue, engines):
    import errno

    engines["tone"].os_error = OSError(errno.EROFS, "Read-only file system")
    job_id = queue.submit_narration("ann", "book.md", book(2).encode(), WAV)
    job = wait_for(lambda: finished(queue, "ann", job_id))
    assert job.status == "failed" and "permissions" in job.error
